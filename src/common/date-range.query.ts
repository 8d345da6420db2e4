import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, ValidateBy, ValidationArguments } from 'class-validator';

/** The longest range a query may span, in days (both ends included): a leap year. */
export const MAX_RANGE_DAYS = 366;
const DAY_MS = 86_400_000;

/** A real UTC calendar date written `YYYY-MM-DD` (2026-02-30 is not one). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** Days from `start` to `end`, both included. */
export function daysInRange(start: string, end: string): number {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS) + 1;
}

const IsCalendarDate = () =>
  ValidateBy({
    name: 'isCalendarDate',
    validator: {
      validate: isCalendarDate,
      defaultMessage: (args?: ValidationArguments) => `${args?.property} must be a calendar date written YYYY-MM-DD`,
    },
  });

/** On `end`: after `start`, and at most MAX_RANGE_DAYS away. */
const IsRangeEnd = () =>
  ValidateBy({
    name: 'isRangeEnd',
    validator: {
      validate: (end: unknown, args?: ValidationArguments) => {
        const start = (args?.object as { start?: unknown }).start;
        if (!isCalendarDate(start) || !isCalendarDate(end)) return true;
        const days = daysInRange(start, end);
        return days >= 1 && days <= MAX_RANGE_DAYS;
      },
      defaultMessage: () => `end must be on or after start, and the range at most ${MAX_RANGE_DAYS} days long`,
    },
  });

/** `start` and `end`: inclusive UTC dates, required. */
export class DateRangeQuery {
  @ApiProperty({ example: '2026-01-01', description: 'First UTC day, included (YYYY-MM-DD)' })
  @IsNotEmpty({ message: 'start is required (YYYY-MM-DD)' })
  @IsString()
  @IsCalendarDate()
  start: string;

  @ApiProperty({
    example: '2026-01-31',
    description: `Last UTC day, included; at most ${MAX_RANGE_DAYS} days after start`,
  })
  @IsNotEmpty({ message: 'end is required (YYYY-MM-DD)' })
  @IsString()
  @IsCalendarDate()
  @IsRangeEnd()
  end: string;
}
