import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { IsDecimalNumber } from '../../common/decimal-number';
import { PageMeta, PageQuery } from '../../common/pagination';
import { trimmed } from '../../common/query-transforms';

/** numeric(14,2): twelve digits before the point. */
const MAX_BUDGET = 999_999_999_999.99;

export class CreateTeamDto {
  @ApiProperty({ example: 'ml-research', maxLength: 200 })
  @Transform(trimmed)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2000, example: 'Foundation model research' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 0,
    example: 50000,
    description: 'Monthly budget in USD; null for none',
  })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsDecimalNumber(2, 'budget_usd must be a number with at most 2 decimals')
  @Min(0)
  @Max(MAX_BUDGET)
  budget_usd?: number | null;
}

/** Any of the fields; those left out stay as they are, null clears description or budget (a name cannot be cleared). */
export class UpdateTeamDto extends PartialType(OmitType(CreateTeamDto, ['name'] as const)) {
  @ApiPropertyOptional({ example: 'ml-research', maxLength: 200 })
  @ValidateIf((_, value) => value !== undefined)
  @Transform(trimmed)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;
}

export class ListTeamsQuery extends PageQuery {}

export class TeamResponse {
  @ApiProperty({ format: 'uuid', example: '3f0e6a52-8f0c-4c4e-9a55-2b7f1f1f6f11' })
  id: string;

  @ApiProperty({ example: 'ml-research' })
  name: string;

  @ApiProperty({ type: String, nullable: true, example: 'Foundation model research' })
  description: string | null;

  @ApiProperty({ type: Number, nullable: true, example: 50000, description: 'Monthly budget in USD; null for none' })
  budget_usd: number | null;

  @ApiProperty({ format: 'date-time', example: '2026-01-01T09:00:00.000Z' })
  created_at: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-02T17:30:00.000Z' })
  updated_at: string;
}

export class TeamsPage extends PageMeta {
  @ApiProperty({ type: [TeamResponse] })
  teams: TeamResponse[];

  @ApiProperty({ example: 3, description: 'Teams the caller may see' })
  total: number;
}
