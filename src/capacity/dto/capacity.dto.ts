import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsNotEmpty,
  IsOptional,
  IsPositive,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  ValidateBy,
  ValidateIf,
  ValidationArguments,
} from 'class-validator';
import { isCalendarDate } from '../../common/calendar';
import { IsCalendarDate } from '../../common/date-range.query';
import { IsDecimalNumber } from '../../common/decimal-number';
import { EARLIEST_DATE, GPU_COUNT_DECIMALS, LATEST_DATE, MAX_GPU_COUNT } from '../../common/input-limits';
import { PageMeta, PageQuery } from '../../common/pagination';
import { lowerCased } from '../../common/query-transforms';
import { MAX_CODE_LENGTH } from '../../common/text-limits';

const present = (_: object, value: unknown) => value !== null && value !== undefined;

/** On `to`: not before `from` when both are dates (their own validators speak otherwise). */
const IsNotBeforeFrom = () =>
  ValidateBy({
    name: 'isNotBeforeFrom',
    validator: {
      validate: (to: unknown, args?: ValidationArguments) => {
        // Silent when either is not a date: its own validator says so (an empty `to` sorted first).
        const from = (args?.object as { from?: unknown }).from;
        return !isCalendarDate(from) || !isCalendarDate(to) || to >= from;
      },
      defaultMessage: () => 'to must be on or after from',
    },
  });

export class CreateCapacityDto {
  @ApiProperty({ example: 'aws', maxLength: MAX_CODE_LENGTH, description: 'Lower-cased, as ingestion stores it' })
  @Transform(lowerCased)
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_CODE_LENGTH)
  provider: string;

  @ApiProperty({ example: 'h100', maxLength: MAX_CODE_LENGTH, description: 'Lower-cased, as ingestion stores it' })
  @Transform(lowerCased)
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_CODE_LENGTH)
  gpu_type: string;

  @ApiProperty({
    example: 8,
    minimum: 0,
    exclusiveMinimum: true,
    maximum: MAX_GPU_COUNT,
    description:
      'GPUs reserved every day of the period (fractions for MIG slices); a day holds gpu_count × 24 GPU-hours',
  })
  @IsDecimalNumber(GPU_COUNT_DECIMALS, `gpu_count must be a number with at most ${GPU_COUNT_DECIMALS} decimals`)
  @IsPositive({ message: 'gpu_count must be greater than 0' })
  @Max(MAX_GPU_COUNT)
  gpu_count: number;

  @ApiProperty({
    example: '2026-01-01',
    format: 'date',
    description: `First UTC day of the period, included (${EARLIEST_DATE} to ${LATEST_DATE})`,
  })
  @IsString()
  @IsCalendarDate()
  from: string;

  @ApiPropertyOptional({
    type: String,
    format: 'date',
    nullable: true,
    example: '2026-12-31',
    description: 'Last UTC day, included; null or left out: open-ended',
  })
  @ValidateIf(present)
  @IsString()
  @IsCalendarDate()
  @IsNotBeforeFrom()
  to?: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    example: '3f0e6a52-8f0c-4c4e-9a55-2b7f1f1f6f11',
    description: 'The team that reserved the GPUs, charged their idle cost under idle=owner; null: nobody',
  })
  @ValidateIf(present)
  @IsUUID('all', { message: 'owner_team_id must be a UUID or null' })
  owner_team_id?: string | null;
}

/**
 * Any of the fields; those left out stay as they are, null makes the period open-ended (`to`) or
 * ownerless (`owner_team_id`). Provider, GPU type, count and `from` cannot be cleared.
 */
export class UpdateCapacityDto extends PartialType(OmitType(CreateCapacityDto, ['from'] as const), {
  // Null is a value here (it clears `to` or the owner), so it must reach the validators.
  skipNullProperties: false,
}) {
  @ApiPropertyOptional({ example: '2026-01-01', format: 'date', description: 'First UTC day of the period, included' })
  @ValidateIf((_, value) => value !== undefined)
  @IsString()
  @IsCalendarDate()
  from?: string;
}

export class ListCapacityQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'aws', maxLength: MAX_CODE_LENGTH })
  @IsOptional()
  @Transform(lowerCased)
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_CODE_LENGTH)
  provider?: string;

  @ApiPropertyOptional({ example: 'h100', maxLength: MAX_CODE_LENGTH })
  @IsOptional()
  @Transform(lowerCased)
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_CODE_LENGTH)
  gpu_type?: string;
}

export class CapacityResponse {
  @ApiProperty({ format: 'uuid', example: '0b6f7c52-3c1e-4a8e-9a55-2b7f1f1f6f21' })
  id: string;

  @ApiProperty({ example: 'aws' })
  provider: string;

  @ApiProperty({ example: 'h100' })
  gpu_type: string;

  @ApiProperty({ example: 8 })
  gpu_count: number;

  @ApiProperty({ example: 192, description: 'gpu_count × 24: the GPU-hours a day of the period holds' })
  gpu_hours_per_day: number;

  @ApiProperty({ example: '2026-01-01', format: 'date' })
  from: string;

  @ApiProperty({ type: String, format: 'date', nullable: true, example: '2026-12-31', description: 'null: open-ended' })
  to: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, example: '3f0e6a52-8f0c-4c4e-9a55-2b7f1f1f6f11' })
  owner_team_id: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-01-01T09:00:00.000Z' })
  created_at: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-02T17:30:00.000Z' })
  updated_at: string;
}

export class CapacityPage extends PageMeta {
  @ApiProperty({ type: [CapacityResponse] })
  capacities: CapacityResponse[];

  @ApiProperty({ example: 3, description: 'Capacities matching the filters' })
  total: number;
}
