import { DAY_MS } from '../../common/calendar';

/** The settings the bounds come from (JOB_START_FLOOR, JOB_MAX_DAYS). */
export interface TimeBoundSettings {
  /** Earliest day a job may start, or a snapshot be dated: `YYYY-MM-DD`. */
  floorDay: string;
  /** Longest a job may run, in days. */
  maxDays: number;
}

/**
 * Where a job's time span and a snapshot's day must lie, fixed once per run. Every job-day
 * becomes allocation cells that each later refresh walks, so one record from 1970 to 2970 would
 * add 365,000 of them; these bounds keep a single careless record from doing that.
 *
 * Timestamps are compared as the UTC ISO text the record reader produces
 * (`2026-01-03T08:00:00.000Z`): same width, so text order is time order and no Date is built
 * for the common case.
 */
export interface TimeBounds {
  floorDay: string;
  floorIso: string;
  /** A day after now: clocks drift, and a feed may run ahead of this server by hours. */
  latestIso: string;
  /** The UTC day after today: the last day a snapshot may be dated. */
  latestDay: string;
  /** A running job must have started at or after this (now − maxDays). */
  runningSinceIso: string;
  maxDays: number;
  maxSpanMs: number;
}

export function timeBounds(settings: TimeBoundSettings, now: Date): TimeBounds {
  const nowMs = now.getTime();
  const latest = new Date(nowMs + DAY_MS).toISOString();
  return {
    floorDay: settings.floorDay,
    floorIso: `${settings.floorDay}T00:00:00.000Z`,
    latestIso: latest,
    latestDay: latest.slice(0, 10),
    runningSinceIso: new Date(nowMs - settings.maxDays * DAY_MS).toISOString(),
    maxDays: settings.maxDays,
    maxSpanMs: settings.maxDays * DAY_MS,
  };
}
