import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import type { IngestionKind, IngestionStatus } from '../ingestion-run.entity';

export class ListIngestionsQuery {
  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  skip = 0;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 50;

  @ApiPropertyOptional({ enum: ['jobs', 'costs'] })
  @IsOptional()
  @IsIn(['jobs', 'costs'])
  kind?: IngestionKind;

  @ApiPropertyOptional({ enum: ['running', 'success', 'partial', 'failed'] })
  @IsOptional()
  @IsIn(['running', 'success', 'partial', 'failed'])
  status?: IngestionStatus;
}
