import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { LabelFiltersQuery } from '../../common/label-filters';
import { lowerCased, trimmed } from '../../common/query-transforms';
import { MAX_NAME_LENGTH } from '../../common/text-limits';
import { JOB_STATUSES, JobStatus, normaliseStatus, STATUS_SPELLINGS } from '../job-status';

// Unknown spellings stay as they are, for @IsIn to refuse with the parameter named.
const toStatus = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? (normaliseStatus(value.trim().toLowerCase()) ?? value) : value;

/**
 * The filters on jobs, shared by the jobs listing and every cost report so that one value means
 * the same everywhere. Values are normalised as ingestion normalises the data they match (trimmed,
 * provider and GPU type lower-cased, status spellings mapped); labels as `label.<key>=<value>`.
 */
export class JobFiltersQuery extends LabelFiltersQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Members may only name their own team' })
  @IsOptional()
  @IsUUID('all', { message: 'team_id must be a UUID' })
  team_id?: string;

  @ApiPropertyOptional({
    enum: STATUS_SPELLINGS,
    example: 'completed',
    description: `One of ${JOB_STATUSES.join(', ')}; common spellings (succeeded, canceled, …) are mapped to them`,
  })
  @IsOptional()
  @Transform(toStatus)
  @IsIn(JOB_STATUSES, { message: `status must be one of ${STATUS_SPELLINGS.join(', ')}` })
  status?: JobStatus;

  @ApiPropertyOptional({ example: 'aws', maxLength: MAX_NAME_LENGTH })
  @IsOptional()
  @Transform(lowerCased)
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_NAME_LENGTH)
  provider?: string;

  @ApiPropertyOptional({ example: 'h100', maxLength: MAX_NAME_LENGTH })
  @IsOptional()
  @Transform(lowerCased)
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_NAME_LENGTH)
  gpu_type?: string;

  @ApiPropertyOptional({ example: 'llama-3-70b', maxLength: MAX_NAME_LENGTH })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_NAME_LENGTH)
  model_name?: string;
}
