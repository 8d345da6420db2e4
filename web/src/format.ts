/** Numbers as the page shows them: dollars to the cent (what the tests compare with the API), hours, shares. */

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2 });
const usdShort = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  notation: 'compact',
  maximumFractionDigits: 1,
});
const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export const formatUsd = (value: number): string => usd.format(value);
export const formatUsdShort = (value: number): string => usdShort.format(value);
export const formatHours = (value: number): string => `${number.format(value)} GPU-h`;
/** Hours in a table whose header already says GPU-hours. */
export const formatNumber = (value: number): string => number.format(value);
export const formatCount = (value: number): string => count.format(value);
export const formatPct = (value: number): string => `${number.format(value)} %`;

/** `2026-01-03T08:00:00.000Z` → `2026-01-03 08:00 UTC`: every time on the page is UTC, as the API's days are. */
export const formatTime = (iso: string | null): string => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '—');

/** A signed change: words and an arrow as well as the sign, so it does not rest on colour. */
export function formatChange(changeUsd: number, changePct: number | null): string {
  const direction = changeUsd > 0 ? '▲ up' : changeUsd < 0 ? '▼ down' : 'no change';
  if (changeUsd === 0) return direction;
  const pct = changePct === null ? 'new' : formatPct(Math.abs(changePct));
  return `${direction} ${formatUsd(Math.abs(changeUsd))} (${pct})`;
}
