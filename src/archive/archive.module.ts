import { Module } from '@nestjs/common';
import { AllocationModule } from '../allocation/allocation.module';
import { AnalyticsModule } from '../analytics/analytics.module';
import { ArchiveService } from './archive.service';

/** `npm run archive`: the allocation closes and empties the months, the FOCUS export writes their file. */
@Module({
  imports: [AllocationModule, AnalyticsModule],
  providers: [ArchiveService],
  exports: [ArchiveService],
})
export class ArchiveModule {}
