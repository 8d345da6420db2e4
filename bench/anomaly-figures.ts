import { daysInRange } from '../src/common/calendar';
import { billsOf, DailyUsage, PlantedSpike, planSpikes } from './anomaly-spikes';
import { DatasetPlan, generateJobs, generateSnapshots } from './dataset';
import { HelioxClient } from './heliox-client';
import { Figure, formatMs, Target } from './report';

/**
 * Anomalies: the planted spikes found (recall) and the anomalies reported that are not planted
 * (false alarms per team-month judged), from one call of the endpoint over the synthetic year.
 */

/**
 * The detector's settings in the benchmark's API (ANOMALY_* variables), and the smallest spike
 * planted. The dollar minimum is raised to the scale of the synthetic data, where one job of 32
 * GPUs costs up to ~$900 a day and a team ~$1,000 a day on average: at the default $50 nearly
 * every large job of a mid-sized team is (rightly) unusual for it (docs/decisions.md, "Anomalies").
 */
export const ANOMALY_BENCH_SETTINGS = { minUsd: 1500, minScore: 4, minHistoryDays: 14, windowDays: 28 };
const SMALLEST_SPIKE_USD = 2 * ANOMALY_BENCH_SETTINGS.minUsd;

/** The API environment of those settings. */
export const ANOMALY_BENCH_ENV: Record<string, string> = {
  ANOMALY_MIN_USD: String(ANOMALY_BENCH_SETTINGS.minUsd),
  ANOMALY_MIN_SCORE: String(ANOMALY_BENCH_SETTINGS.minScore),
  ANOMALY_MIN_HISTORY_DAYS: String(ANOMALY_BENCH_SETTINGS.minHistoryDays),
  ANOMALY_WINDOW_DAYS: String(ANOMALY_BENCH_SETTINGS.windowDays),
};

/**
 * Plans the spikes of a run from the main job set and the bills as generated (one more pass over
 * the generator: the dataset is never held in memory). Spikes start after a full window of
 * history when the run is long enough, else after the minimum history (a smoke run).
 */
export function plantAnomalySpikes(plan: DatasetPlan, seed: number): PlantedSpike[] {
  const days = daysInRange(plan.firstDay, plan.lastDay);
  const usage = new DailyUsage(plan.firstDay, days);
  for (const job of generateJobs(plan.main)) usage.add(job, plan.main.horizon);
  const bills = billsOf(usage, generateSnapshots(plan.firstDay, plan.lastDay, seed));
  const { windowDays, minHistoryDays } = ANOMALY_BENCH_SETTINGS;
  return planSpikes(usage, bills, {
    firstDay: plan.firstDay,
    days,
    seed,
    minUsd: SMALLEST_SPIKE_USD,
    historyDays: days >= windowDays + 60 ? windowDays : minHistoryDays,
  });
}

export interface AnomalyRowLike {
  day: string;
  team_name: string;
  provider: string;
  gpu_type: string;
  direction: 'up' | 'down';
}

export interface AnomalyScore {
  planted: number;
  found: number;
  reported: number;
  falseAlarms: number;
  teamMonths: number;
  ms: number;
}

const keyOf = (r: { day: string; team_name: string; provider: string; gpu_type: string }) =>
  `${r.day}|${r.team_name}|${r.provider}|${r.gpu_type}`;

/** Days per month on average: team-months are judged days ÷ this. */
const MONTH_DAYS = 365.25 / 12;

/** Compares the reported rows with the planted spikes; `judgedDays` per team. */
export function scoreAnomalies(
  rows: AnomalyRowLike[],
  spikes: PlantedSpike[],
  teams: number,
  judgedDays: number,
  ms = 0,
): AnomalyScore {
  const planted = new Set(spikes.map(keyOf));
  const upRows = new Set(rows.filter((r) => r.direction === 'up').map(keyOf));
  const found = [...planted].filter((k) => upRows.has(k)).length;
  const falseAlarms = rows.filter((r) => !(r.direction === 'up' && planted.has(keyOf(r)))).length;
  return {
    planted: planted.size,
    found,
    reported: rows.length,
    falseAlarms,
    teamMonths: (teams * judgedDays) / MONTH_DAYS,
    ms,
  };
}

export const RECALL_LABEL = 'anomalies: planted spikes found (recall)';
export const FALSE_ALARM_LABEL = 'anomalies: false alarms per team-month judged';
export const RECALL_TARGET: Target = { op: '≥', value: 0.9 };
export const FALSE_ALARM_TARGET: Target = { op: '≤', value: 0.5 };

/** The most rows one answer holds (the endpoint's largest `limit`). */
const ANOMALY_ROWS_READ = 5000;

/** Asks for every anomaly of the dataset's days (history included: the endpoint judges what it can). */
export async function measureAnomalies(
  client: HelioxClient,
  spikes: PlantedSpike[],
  options: { firstDay: string; lastDay: string; teams: number; minHistoryDays: number },
): Promise<AnomalyScore> {
  const started = performance.now();
  const body = await client.get<{ rows: AnomalyRowLike[]; total: number }>(
    `/api/v1/analytics/anomalies?start=${options.firstDay}&end=${options.lastDay}&limit=${ANOMALY_ROWS_READ}`,
  );
  const ms = performance.now() - started;
  // Scored on part of the answer, both figures would be wrong: they are then not measured.
  if (body.total > body.rows.length) {
    throw new Error(`the search found ${body.total} anomalies, more than the ${body.rows.length} one answer holds`);
  }
  const judgedDays = Math.max(0, daysInRange(options.firstDay, options.lastDay) - options.minHistoryDays);
  return scoreAnomalies(body.rows, spikes, options.teams, judgedDays, ms);
}

export function anomalyFigures(score: AnomalyScore, settings: string): Figure[] {
  const recall = score.planted ? score.found / score.planted : null;
  const perTeamMonth = score.teamMonths > 0 ? score.falseAlarms / score.teamMonths : null;
  return [
    {
      label: RECALL_LABEL,
      heliox: `${score.found} of ${score.planted} found (${settings}; one call, ${formatMs(score.ms)})`,
      reference: `${score.planted} spikes planted`,
      ratio: recall,
      checked: recall,
      target: RECALL_TARGET,
    },
    {
      label: FALSE_ALARM_LABEL,
      heliox: `${score.falseAlarms} of ${score.reported} reported not planted`,
      reference: `${score.teamMonths.toFixed(1)} team-months judged`,
      ratio: perTeamMonth,
      checked: perTeamMonth,
      target: FALSE_ALARM_TARGET,
    },
  ];
}
