import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { INGESTION_STATUSES, type IngestionKind, type IngestionStatus } from '../ingestion-run.entity';

export class ListIngestionsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['jobs', 'costs'] })
  @IsOptional()
  @IsIn(['jobs', 'costs'])
  kind?: IngestionKind;

  @ApiPropertyOptional({ enum: INGESTION_STATUSES })
  @IsOptional()
  @IsIn(INGESTION_STATUSES)
  status?: IngestionStatus;
}
