import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { AllocationArchive } from './allocation-archive';
import { AllocationMarks } from './allocation-marks';
import { AllocationReads } from './allocation-reads';
import { AllocationRebuild } from './allocation-rebuild';
import { AllocationRefresh } from './allocation-refresh';
import { AllocationService } from './allocation.service';
import { RecomputeByCells } from './recompute-by-cells';
import { RefreshByJobs } from './refresh-by-jobs';

/**
 * The allocation tables and everything that writes them. Other modules inject AllocationService
 * to mark what they changed, refresh, rebuild or read; none of them writes these tables.
 */
@Module({
  imports: [HealthModule],
  providers: [
    AllocationMarks,
    RefreshByJobs,
    RecomputeByCells,
    AllocationRefresh,
    AllocationRebuild,
    AllocationReads,
    AllocationArchive,
    AllocationService,
  ],
  exports: [AllocationService],
})
export class AllocationModule {}
