import { Module } from '@nestjs/common';
import { AllocationModule } from '../allocation/allocation.module';
import { CapacityController } from './capacity.controller';
import { CapacityService } from './capacity.service';

/**
 * Declared GPU capacity (`capacities`). It writes its table and has the allocation re-price the
 * cells a change touches, in the same transaction; the allocation reads the table in SQL.
 */
@Module({
  imports: [AllocationModule],
  controllers: [CapacityController],
  providers: [CapacityService],
})
export class CapacityModule {}
