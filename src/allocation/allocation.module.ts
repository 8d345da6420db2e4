import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { AllocationService } from './allocation.service';

/**
 * The allocation tables and everything that writes them. Other modules inject AllocationService
 * to mark what they changed, refresh, rebuild or read; none of them writes these tables.
 */
@Module({
  imports: [HealthModule],
  providers: [AllocationService],
  exports: [AllocationService],
})
export class AllocationModule {}
