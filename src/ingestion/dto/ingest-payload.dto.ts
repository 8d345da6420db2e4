import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { GPU_COUNT_DECIMALS, MAX_GPU_COUNT } from '../../common/input-limits';

/** Documentation of the JSON bodies; records are validated one by one by the ingestion service. */
export class TeamInputDto {
  @ApiProperty({ example: 'ml-research' }) name: string;
  @ApiPropertyOptional({ example: 'Foundation model research' }) description?: string;
  @ApiPropertyOptional({ example: 50000, description: 'Monthly budget, USD' }) budget_usd?: number;
}

export class JobInputDto {
  @ApiProperty({ example: 'job-2026-0001' }) job_id: string;
  @ApiProperty({ example: 'ml-research', description: 'Created (without budget) when unknown' }) team_name: string;
  @ApiProperty({ example: 'llama-3-70b' }) model_name: string;
  @ApiProperty({ example: 'aws' }) provider: string;
  @ApiProperty({ example: 'h100' }) gpu_type: string;
  @ApiPropertyOptional({
    example: 8,
    default: 1,
    description: `> 0, at most ${MAX_GPU_COUNT}, at most ${GPU_COUNT_DECIMALS} decimals; fractions for MIG slices (1/7: 0.142857)`,
  })
  gpu_count?: number;
  @ApiProperty({ example: '2026-01-03T08:00:00Z', description: 'ISO-8601 with an offset' }) start_time: string;
  @ApiPropertyOptional({
    type: String,
    example: '2026-01-03T18:00:00Z',
    nullable: true,
    description: 'Required once finished; absent while running',
  })
  end_time?: string | null;
  @ApiProperty({
    example: 'completed',
    description: 'queued, running, completed (succeeded), failed, cancelled (canceled)',
  })
  status: string;
}

export class JobsPayloadDto {
  @ApiPropertyOptional({ type: [TeamInputDto] }) teams?: TeamInputDto[];
  @ApiProperty({ type: [JobInputDto] }) jobs: JobInputDto[];
}

export class CostSnapshotInputDto {
  @ApiProperty({ example: '2026-01-03' }) entry_date: string;
  @ApiProperty({ example: 'aws' }) provider: string;
  @ApiProperty({ example: 'h100' }) gpu_type: string;
  @ApiProperty({ example: 6292.8, description: 'USD billed for that GPU type that UTC day, ≥ 0' }) cost_usd: number;
}

export class CostsPayloadDto {
  @ApiProperty({ type: [CostSnapshotInputDto] }) cost_snapshots: CostSnapshotInputDto[];
}
