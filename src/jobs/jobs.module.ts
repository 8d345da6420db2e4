import { Module } from '@nestjs/common';
import { AllocationModule } from '../allocation/allocation.module';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';
import { JobsWriter } from './jobs.writer';

@Module({
  imports: [AllocationModule],
  controllers: [JobsController],
  providers: [JobsService, JobsWriter],
  exports: [JobsService, JobsWriter],
})
export class JobsModule {}
