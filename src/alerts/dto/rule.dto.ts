import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { PageMeta, PageQuery } from '../../common/pagination';
import { trimmed } from '../../common/query-transforms';
import { MAX_NAME_LENGTH } from '../../common/text-limits';
import { RULE_KINDS, RuleKind } from '../alerts.entities';

export const DEFAULT_THRESHOLDS = [50, 80, 100];
const MAX_THRESHOLD_PCT = 1000;

const RULE_KIND_HELP =
  'budget_actual: the month’s allocated spend reaches a share of the team’s budget; budget_forecast: the ' +
  'month’s forecast does (current month); anomaly: a team’s daily cost on a provider and GPU type departs from ' +
  'its recent history.';

class RuleFields {
  @ApiProperty({ example: 'Team budgets', maxLength: MAX_NAME_LENGTH })
  @Transform(trimmed)
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_NAME_LENGTH)
  name: string;

  @ApiPropertyOptional({
    type: [Number],
    example: DEFAULT_THRESHOLDS,
    description: `Budget rules: percentages of the monthly budget that fire, once each per team and month (default ${DEFAULT_THRESHOLDS.join(', ')}). Not for anomaly rules.`,
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsInt({ each: true, message: 'thresholds_pct must hold whole percentages' })
  @Min(1, { each: true })
  @Max(MAX_THRESHOLD_PCT, { each: true })
  thresholds_pct?: number[];

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    example: null,
    description: 'The team watched; null or left out: every team',
  })
  @ValidateIf((_, v) => v !== null && v !== undefined)
  @IsUUID('all', { message: 'team_id must be a UUID or null' })
  team_id?: string | null;

  @ApiProperty({ format: 'uuid', example: '0b6f7c52-3c1e-4a8e-9a55-2b7f1f1f6f21' })
  @IsUUID('all', { message: 'channel_id must be a UUID' })
  channel_id: string;

  @ApiPropertyOptional({ example: true, default: true, description: 'A disabled rule fires nothing' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class CreateRuleDto extends RuleFields {
  @ApiProperty({ enum: RULE_KINDS, example: 'budget_actual', description: RULE_KIND_HELP })
  @IsIn(RULE_KINDS, { message: `kind must be one of ${RULE_KINDS.join(', ')}` })
  kind: RuleKind;
}

/** Any of the fields; the kind of a rule cannot change (make another rule). */
export class UpdateRuleDto {
  @ApiPropertyOptional({ example: 'Team budgets', maxLength: MAX_NAME_LENGTH })
  @ValidateIf((_, v) => v !== undefined)
  @Transform(trimmed)
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_NAME_LENGTH)
  name?: string;

  @ApiPropertyOptional({ type: [Number], example: [80, 100] })
  @ValidateIf((_, v) => v !== undefined)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsInt({ each: true, message: 'thresholds_pct must hold whole percentages' })
  @Min(1, { each: true })
  @Max(MAX_THRESHOLD_PCT, { each: true })
  thresholds_pct?: number[];

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, example: null })
  @ValidateIf((_, v) => v !== null && v !== undefined)
  @IsUUID('all', { message: 'team_id must be a UUID or null' })
  team_id?: string | null;

  @ApiPropertyOptional({ format: 'uuid', example: '0b6f7c52-3c1e-4a8e-9a55-2b7f1f1f6f21' })
  @ValidateIf((_, v) => v !== undefined)
  @IsUUID('all', { message: 'channel_id must be a UUID' })
  channel_id?: string;

  @ApiPropertyOptional({ example: false })
  @ValidateIf((_, v) => v !== undefined)
  @IsBoolean()
  enabled?: boolean;
}

export class RuleResponse {
  @ApiProperty({ format: 'uuid', example: '5d1c9a3e-7b2f-4e8a-b1c4-9f0e2d3c4b5a' })
  id: string;

  @ApiProperty({ example: 'Team budgets' })
  name: string;

  @ApiProperty({ enum: RULE_KINDS, example: 'budget_actual' })
  kind: RuleKind;

  @ApiProperty({ type: [Number], example: DEFAULT_THRESHOLDS, description: 'Empty for anomaly rules' })
  thresholds_pct: number[];

  @ApiProperty({ type: String, format: 'uuid', nullable: true, example: null, description: 'null: every team' })
  team_id: string | null;

  @ApiProperty({ format: 'uuid', example: '0b6f7c52-3c1e-4a8e-9a55-2b7f1f1f6f21' })
  channel_id: string;

  @ApiProperty({ example: true })
  enabled: boolean;

  @ApiProperty({ format: 'date-time', example: '2026-01-02T09:00:00.000Z' })
  created_at: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-02T09:00:00.000Z' })
  updated_at: string;
}

export class RulesPage extends PageMeta {
  @ApiProperty({ type: [RuleResponse] })
  rules: RuleResponse[];

  @ApiProperty({ example: 1 })
  total: number;
}

export class ListRulesQuery extends PageQuery {}
