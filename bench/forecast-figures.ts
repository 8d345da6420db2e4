import type { Pool } from 'pg';
import type { ForecastReport } from '../src/analytics/dto/forecast.dto';
import {
  FORECAST_SETTINGS,
  forecastInputOf,
  forecastMonth,
  forecastWindow,
  runRateForecast,
} from '../src/analytics/forecast-math';
import { addDays, daysInRange } from '../src/common/calendar';
import type { HelioxClient } from './heliox-client';
import { Check, Figure, Target, unmeasured } from './report';

/**
 * The forecast backtest: on days 7, 14 and 21 of every whole month of the synthetic data, each
 * team's month is forecast as of that day with the API's own arithmetic (forecast-math.ts, fed
 * the allocated daily cost from the bench database) and compared with what the month cost. The
 * reference is the naive run-rate (spend to date ÷ days elapsed × days in the month) on the same
 * team-months.
 */

const FORECAST_DAYS = [7, 14, 21];
const MAPE_TARGET: Target = { op: '<', value: 1, unit: '× run-rate' };
const COVERAGE_TARGET: Target = { op: '–', value: 70, upTo: 90, unit: '%' };
const mapeLabel = (day?: number) => `forecast MAPE, made on day ${day ?? FORECAST_DAYS.join(', ')} ÷ naive run-rate's`;
const COVERAGE_LABEL = 'forecast 80 % interval: share of actual months inside';

export const FORECAST_FIGURES: [string, Target][] = [
  ...FORECAST_DAYS.map((day): [string, Target] => [mapeLabel(day), MAPE_TARGET]),
  [mapeLabel(), MAPE_TARGET],
  [COVERAGE_LABEL, COVERAGE_TARGET],
];

/** Allocated cost per team (id) per UTC day (YYYY-MM-DD). */
export type TeamDays = Map<string, Map<string, number>>;

async function readTeamDays(pool: Pool): Promise<TeamDays> {
  const { rows } = await pool.query<{ team_id: string; day: string; cost: number }>(
    `SELECT team_id::text AS team_id, to_char(day, 'YYYY-MM-DD') AS day, cost_usd::float8 AS cost FROM allocation_team_days`,
  );
  const teams: TeamDays = new Map();
  for (const r of rows) {
    if (!teams.has(r.team_id)) teams.set(r.team_id, new Map());
    teams.get(r.team_id)!.set(r.day, r.cost);
  }
  return teams;
}

export interface BacktestOutcome {
  /** The day of the month the forecast was made on. */
  day: number;
  actual: number;
  forecast: number;
  low: number;
  high: number;
  runRate: number;
  /** Made on fewer days of history than the weekday profile's 8 weeks (the first months of a run). */
  shortHistory: boolean;
}

/** The months (YYYY-MM) whose every day lies in firstDay … lastDay. */
export function wholeMonths(firstDay: string, lastDay: string): string[] {
  const months: string[] = [];
  let month = firstDay.endsWith('-01') ? firstDay.slice(0, 7) : addDays(`${firstDay.slice(0, 7)}-01`, 31).slice(0, 7);
  while (forecastWindow(month, lastDay).last <= lastDay) {
    months.push(month);
    month = addDays(`${month}-01`, 31).slice(0, 7);
  }
  return months;
}

/** Every team's whole months forecast on days 7, 14 and 21; team-months that cost nothing are left out (no percentage of 0). */
export function backtest(teams: TeamDays, firstDay: string, lastDay: string): BacktestOutcome[] {
  const outcomes: BacktestOutcome[] = [];
  for (const month of wholeMonths(firstDay, lastDay)) {
    const { first, last } = forecastWindow(month, lastDay);
    const days = daysInRange(first, last);
    for (const daily of teams.values()) {
      const costOf = (day: string) => daily.get(day) ?? 0;
      let actual = 0;
      for (let d = 0; d < days; d++) actual += costOf(addDays(first, d));
      if (actual <= 0) continue;
      for (const day of FORECAST_DAYS) {
        const input = forecastInputOf(forecastWindow(month, addDays(first, day - 1)), costOf);
        const f = forecastMonth(input);
        outcomes.push({
          day,
          actual,
          forecast: f.forecast,
          low: f.low,
          high: f.high,
          runRate: runRateForecast(input.spendToDate, day, days),
          shortHistory: input.history.length < FORECAST_SETTINGS.profileDays,
        });
      }
    }
  }
  return outcomes;
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const mape = (outcomes: BacktestOutcome[], pick: (o: BacktestOutcome) => number) =>
  outcomes.reduce((sum, o) => sum + Math.abs(pick(o) - o.actual) / o.actual, 0) / outcomes.length;
// Bounds are rounded to cents, the actual is not.
const inside = (o: BacktestOutcome) => o.low - 0.005 <= o.actual && o.actual <= o.high + 0.005;

export function forecastFigures(outcomes: BacktestOutcome[], firstDay: string, lastDay: string): Figure[] {
  if (!outcomes.length) {
    const reason = `not enough history: no whole month with cost in ${firstDay} … ${lastDay}`;
    return FORECAST_FIGURES.map(([label, target]) => unmeasured(label, target, reason));
  }
  const mapeFigure = (label: string, these: BacktestOutcome[]): Figure => {
    const heliox = mape(these, (o) => o.forecast);
    const reference = mape(these, (o) => o.runRate);
    const ratio = heliox / reference;
    const short = these.filter((o) => o.shortHistory).length;
    return {
      label,
      heliox: `${pct(heliox)} over ${these.length} team-months${short ? `, ${short} of them on under 8 weeks of history` : ''}`,
      reference: `${pct(reference)} (run-rate)`,
      ratio,
      checked: ratio,
      target: MAPE_TARGET,
    };
  };
  const byDay = FORECAST_DAYS.map((day) => outcomes.filter((o) => o.day === day));
  const coverage = outcomes.filter(inside).length / outcomes.length;
  const perDay = FORECAST_DAYS.map((day, i) => `day ${day}: ${pct(byDay[i].filter(inside).length / byDay[i].length)}`);
  return [
    ...FORECAST_DAYS.map((day, i) => mapeFigure(mapeLabel(day), byDay[i])),
    mapeFigure(mapeLabel(), outcomes),
    {
      label: COVERAGE_LABEL,
      heliox: `${pct(coverage)} of ${outcomes.length} (${perDay.join(', ')})`,
      reference: '—',
      ratio: null,
      checked: coverage * 100,
      target: COVERAGE_TARGET,
    },
  ];
}

/**
 * The backtest runs what the API answers: GET /analytics/forecast for the month of the last day
 * (which also brings the allocation up to date) against the same arithmetic fed from the tables.
 */
export async function checkForecastAgreement(
  client: HelioxClient,
  pool: Pool,
  lastDay: string,
): Promise<{ check: Check; teams: TeamDays }> {
  const month = lastDay.slice(0, 7);
  const api = await client.get<ForecastReport>(`/api/v1/analytics/forecast?month=${month}`);
  const teams = await readTeamDays(pool);
  const window = forecastWindow(month, api.as_of);
  const differ: string[] = [];
  for (const team of api.teams) {
    const daily = teams.get(team.team_id);
    const f = forecastMonth(forecastInputOf(window, (day) => daily?.get(day) ?? 0));
    // The API rounds the exact spend to cents, the backtest sums floats: a cent apart at most.
    const apart = Math.max(
      Math.abs(f.forecast - team.forecast_usd),
      Math.abs(f.low - team.forecast_low_usd),
      Math.abs(f.high - team.forecast_high_usd),
    );
    if (apart > 0.011) differ.push(`${team.team_name}: API ${team.forecast_usd}, backtest code ${f.forecast}`);
  }
  return {
    teams,
    check: {
      label: `forecast API = backtest arithmetic (${month}, as of ${api.as_of})`,
      ok: differ.length === 0 && api.teams.length > 0,
      detail: differ.length ? differ.slice(0, 3).join('; ') : `${api.teams.length} teams agree to the cent`,
    },
  };
}
