import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import type { IngestionKind, IngestionStatus } from '../ingestion-run.entity';

export class ListIngestionsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['jobs', 'costs'] })
  @IsOptional()
  @IsIn(['jobs', 'costs'])
  kind?: IngestionKind;

  @ApiPropertyOptional({ enum: ['running', 'success', 'partial', 'failed'] })
  @IsOptional()
  @IsIn(['running', 'success', 'partial', 'failed'])
  status?: IngestionStatus;
}
