import { ApiProperty } from '@nestjs/swagger';

export class TopJob {
  @ApiProperty({ example: 'train-4711', description: "The job's own id" })
  job_id: string;

  @ApiProperty({ example: 'llama-3-70b' })
  model_name: string;

  @ApiProperty({ example: 1843.2, description: "The job's cost in the cell that day, USD" })
  cost_usd: number;
}

export class AnomalyRow {
  @ApiProperty({ example: '2026-03-12', format: 'date', description: 'The UTC day judged' })
  day: string;

  @ApiProperty({ format: 'uuid', example: '3f0e6a52-8f0c-4c4e-9a55-2b7f1f1f6f11' })
  team_id: string;

  @ApiProperty({ example: 'ml-research' })
  team_name: string;

  @ApiProperty({ example: 'aws' })
  provider: string;

  @ApiProperty({ example: 'h100' })
  gpu_type: string;

  @ApiProperty({ example: 2450.5, description: "The team's allocated cost in the cell that day, USD" })
  cost_usd: number;

  @ApiProperty({
    example: 610,
    description: 'The baseline: the median of the same weekday over the trailing window (see docs/decisions.md)',
  })
  expected_usd: number;

  @ApiProperty({
    example: 9.4,
    description: '|cost − expected| ÷ the robust scale of the history (1.4826 × MAD of weekday residuals)',
  })
  score: number;

  @ApiProperty({ enum: ['up', 'down'], example: 'up' })
  direction: 'up' | 'down';

  @ApiProperty({
    type: [TopJob],
    description: "The team's costliest jobs in the cell that day (up to 5; none when it had no cost)",
  })
  top_jobs: TopJob[];
}

export class AnomalyReport {
  @ApiProperty({
    type: [AnomalyRow],
    description: 'The `limit` largest changes among the anomalies found, by day, then the largest change first',
  })
  rows: AnomalyRow[];

  @ApiProperty({ example: 12, description: 'Anomalies found in the range; more than `rows` holds when limit cut them' })
  total: number;
}
