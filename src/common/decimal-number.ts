import { ValidateBy } from 'class-validator';

/**
 * Decimal places of a finite number as JavaScript writes it, exponent included: 1.5e-7 has 8.
 * class-validator's `IsNumber({ maxDecimalPlaces })` reads only the digits after the point of
 * `String(value)`, so it threw on 1e-7 (a 500) and counted 1.5e-7 as 4.
 */
export function decimalPlaces(value: number): number {
  if (Number.isInteger(value)) return 0;
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(Math.abs(value)));
  if (!m) return Infinity;
  return Math.max(0, (m[2]?.length ?? 0) - Number(m[3] ?? 0));
}

/** A finite JSON number with at most `maxDecimalPlaces` decimals (money in cents, GPU counts). */
export const IsDecimalNumber = (maxDecimalPlaces: number, message: string) =>
  ValidateBy({
    name: 'isDecimalNumber',
    constraints: [maxDecimalPlaces],
    validator: {
      validate: (value: unknown) =>
        typeof value === 'number' && Number.isFinite(value) && decimalPlaces(value) <= maxDecimalPlaces,
      defaultMessage: () => message,
    },
  });
