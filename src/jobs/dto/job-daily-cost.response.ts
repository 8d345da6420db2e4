import { ApiProperty } from '@nestjs/swagger';

/** A job's usage and allocated cost on one UTC day. */
export class JobDailyCostResponse {
  @ApiProperty({ example: '2026-01-03' })
  date: string;

  @ApiProperty({ example: 80 })
  gpu_hours: number;

  @ApiProperty({ example: 720, description: 'Allocated cost, rounded to cents' })
  cost_usd: number;
}
