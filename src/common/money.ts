/**
 * Money is summed exactly in PostgreSQL (`numeric`) and rounded to cents once, here, at the
 * response. Totals are split so that the rounded parts add up to the rounded whole.
 */

const pow10 = (n: number) => 10n ** BigInt(n);

/** A non-negative decimal string as an integer count of 10^-scale units (truncated past scale). */
function toUnits(value: string, scale: number): bigint {
  const [whole, fraction = ''] = value.trim().split('.');
  return BigInt(whole || '0') * pow10(scale) + BigInt((fraction + '0'.repeat(scale)).slice(0, scale) || '0');
}

function scaleOf(...values: string[]): number {
  return Math.max(2, ...values.map((v) => (v.split('.')[1] ?? '').length));
}

/** Half-up rounding of a decimal string to cents, as a number of dollars. */
export function roundCents(value: string): number {
  const scale = scaleOf(value);
  return unitsToCents(toUnits(value, scale), scale);
}

function unitsToCents(units: bigint, scale: number): number {
  // scale >= 2; with exactly two decimals there is nothing to round.
  const half = scale > 2 ? 5n * pow10(scale - 3) : 0n;
  const cents = (units + half) / pow10(scale - 2);
  return Number(cents) / 100;
}

/**
 * Rounds parts of a whole so that the rounded parts add up to the rounded sums: each prefix sum
 * is rounded, and each part is the difference of two of them. Rounding is monotone, so a part
 * that is not negative stays so.
 */
export function roundedParts(...parts: string[]): number[] {
  const scale = scaleOf(...parts);
  let sum = 0n;
  let previousCents = 0;
  return parts.map((part) => {
    sum += toUnits(part, scale);
    const cents = Math.round(unitsToCents(sum, scale) * 100);
    const rounded = (cents - previousCents) / 100;
    previousCents = cents;
    return rounded;
  });
}

/**
 * Rounds allocated and unallocated money so that allocated + unallocated = total to the cent:
 * the total and the allocated part are rounded, the idle part is their difference.
 */
export function splitRounded(
  allocated: string,
  unallocated: string,
): { allocated: number; unallocated: number; total: number } {
  const [a, u] = roundedParts(allocated, unallocated);
  return { allocated: a, unallocated: u, total: Math.round((a + u) * 100) / 100 };
}
