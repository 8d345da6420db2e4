import { ApiProperty } from '@nestjs/swagger';

/** Which days have known costs: a dashboard opens on the days that end at the last one. */
export class CostCoverage {
  @ApiProperty({
    type: String,
    format: 'date',
    nullable: true,
    example: '2026-01-01',
    description: 'The first UTC day with a cost snapshot; null when there is none',
  })
  first_snapshot_day: string | null;

  @ApiProperty({
    type: String,
    format: 'date',
    nullable: true,
    example: '2026-01-14',
    description:
      'The last UTC day with a cost snapshot (costs are known up to it; running jobs give later days usage ' +
      'that is not priced yet); null when there is none',
  })
  last_snapshot_day: string | null;
}
