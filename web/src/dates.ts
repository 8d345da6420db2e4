/** UTC calendar days written YYYY-MM-DD, as the API takes them. */

const DAY_MS = 86_400_000;

/** A real calendar day: the parser would take 2026-02-30 for 2026-03-02, so the day must survive a round trip. */
export function isDay(value: string | null | undefined): value is string {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === value;
}

export const addDays = (day: string, days: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

export const daysInRange = (start: string, end: string): number =>
  Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS) + 1;

export const yesterday = (): string => addDays(new Date().toISOString().slice(0, 10), -1);

/** The longest range a report takes (the API's limit, a leap year). */
const MAX_RANGE_DAYS = 366;

export interface Range {
  start: string;
  end: string;
}

export interface Preset {
  label: string;
  range: Range;
}

/** The presets, each ending on the anchor: the last day with known costs. */
export function presets(anchor: string): Preset[] {
  return [
    { label: 'Last 7 days', range: { start: addDays(anchor, -6), end: anchor } },
    { label: 'Last 30 days', range: { start: addDays(anchor, -29), end: anchor } },
    { label: 'Last 90 days', range: { start: addDays(anchor, -89), end: anchor } },
    { label: 'Month to date', range: { start: `${anchor.slice(0, 8)}01`, end: anchor } },
  ];
}

/** What is wrong with a range the person typed, in words; null when it can be asked for. */
export function rangeProblem(range: Range): string | null {
  if (!isDay(range.start) || !isDay(range.end)) return 'Both dates must be calendar days.';
  if (range.end < range.start) return 'The end must be on or after the start.';
  if (daysInRange(range.start, range.end) > MAX_RANGE_DAYS) return `A range can span at most ${MAX_RANGE_DAYS} days.`;
  return null;
}
