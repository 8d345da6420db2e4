import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, ValidateBy, ValidationArguments } from 'class-validator';
import { daysInRange, isCalendarDate } from './calendar';
import { EARLIEST_DATE, LATEST_DATE } from './input-limits';

/** The longest range a report may span, in days (both ends included): a leap year. */
const MAX_RANGE_DAYS = 366;

/** A calendar date written YYYY-MM-DD from EARLIEST_DATE to LATEST_DATE (ISO dates compare as text). */
const isDateInRange = (value: unknown): value is string =>
  isCalendarDate(value) && value >= EARLIEST_DATE && value <= LATEST_DATE;

export const IsCalendarDate = () =>
  ValidateBy({
    name: 'isCalendarDate',
    validator: {
      validate: isDateInRange,
      defaultMessage: (args?: ValidationArguments) =>
        isCalendarDate(args?.value)
          ? `${args.property} must be from ${EARLIEST_DATE} to ${LATEST_DATE}`
          : `${args?.property ?? 'date'} must be a calendar date written YYYY-MM-DD`,
    },
  });

/**
 * On `end`: not before `start`, and at most `maxDays` away when given. Silent when either
 * end is missing or not a date: their own validators say so.
 */
const IsRangeEnd = (maxDays?: number) =>
  ValidateBy({
    name: 'isRangeEnd',
    validator: {
      validate: (end: unknown, args?: ValidationArguments) => {
        const start = (args?.object as { start?: unknown }).start;
        if (!isCalendarDate(start) || !isCalendarDate(end)) return true;
        const days = daysInRange(start, end);
        return days >= 1 && (maxDays === undefined || days <= maxDays);
      },
      defaultMessage: () =>
        maxDays === undefined
          ? 'end must be on or after start'
          : `end must be on or after start, and the range at most ${maxDays} days long`,
    },
  });

/** `start` and `end` of a report: inclusive UTC dates, required, at most MAX_RANGE_DAYS apart. */
export class DateRangeQuery {
  @ApiProperty({ example: '2026-01-01', format: 'date', description: 'First UTC day, included (YYYY-MM-DD)' })
  @IsNotEmpty({ message: 'start is required (YYYY-MM-DD)' })
  @IsString()
  @IsCalendarDate()
  start: string;

  @ApiProperty({
    example: '2026-01-31',
    format: 'date',
    description: `Last UTC day, included; at most ${MAX_RANGE_DAYS} days after start`,
  })
  @IsNotEmpty({ message: 'end is required (YYYY-MM-DD)' })
  @IsString()
  @IsCalendarDate()
  @IsRangeEnd(MAX_RANGE_DAYS)
  end: string;
}

/** `start` and `end` of a listing: the same dates, each optional, the range unbounded. */
export class OptionalDateRangeQuery {
  @ApiPropertyOptional({ example: '2026-01-01', format: 'date', description: 'From this UTC day, included' })
  @IsOptional()
  @IsCalendarDate()
  start?: string;

  @ApiPropertyOptional({ example: '2026-01-31', format: 'date', description: 'To this UTC day, included' })
  @IsOptional()
  @IsCalendarDate()
  @IsRangeEnd()
  end?: string;
}
