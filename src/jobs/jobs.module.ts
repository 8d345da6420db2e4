import { Module } from '@nestjs/common';
import { AllocationModule } from '../allocation/allocation.module';
import { JobCostController } from './job-cost.controller';
import { JobCostService } from './job-cost.service';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';
import { JobsWriter } from './jobs.writer';

@Module({
  imports: [AllocationModule],
  controllers: [JobsController, JobCostController],
  providers: [JobsService, JobsWriter, JobCostService],
  exports: [JobsService, JobsWriter],
})
export class JobsModule {}
