import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pool } from 'pg';
import { HelioxClient, metricValue } from './heliox-client';
import type { ExtraDay, ExtraDayFiles } from './refresh-figures';
import { Check, Figure, formatMs, Target } from './report';

/**
 * What alerting adds to an upload: with one rule of each kind watching every team (every team
 * has a budget), the evaluation of the days the one-day ingestion changed, against that
 * ingestion. The evaluation runs in the API after the uploads' commits, so the client never
 * waits for it; the API times it (`alerts_evaluation_duration_seconds{trigger="changed_days"}`),
 * read from /metrics before the uploads and once the days they marked have been evaluated.
 */

export const ALERT_TARGET: Target = { op: '<', value: 0.1 };
export const ALERT_LABEL =
  'alert evaluation of the days the one-day ingestion changed (every rule kind, every team) ÷ that ingestion';

/**
 * The benchmark's API looks for changed days twice a second instead of every 5 s, so the
 * evaluation follows the upload closely; a poll that finds none costs one indexed read.
 */
export const ALERT_BENCH_ENV = { ALERT_EVALUATION_POLL_SECONDS: '0.5' };
/** Past one poll: an evaluation records its time just after the commit that clears its days. */
const SETTLE_MS = 1_000;
const EVALUATION_TIMEOUT_MS = 120_000;

const CHANGED_DAYS = '{trigger="changed_days"}';

interface EvaluationTotals {
  seconds: number;
  count: number;
}

/** Time and number of the evaluations of changed days the API has run so far. */
export function evaluationTotals(exposition: string): EvaluationTotals {
  return {
    seconds: metricValue(exposition, `alerts_evaluation_duration_seconds_sum${CHANGED_DAYS}`),
    count: metricValue(exposition, `alerts_evaluation_duration_seconds_count${CHANGED_DAYS}`),
  };
}

export interface AlertWatch {
  channelId: string;
  ruleIds: string[];
  teams: number;
  receiver: http.Server;
  before: EvaluationTotals;
  checks: Check[];
}

interface Evaluation {
  ms: number;
  evaluations: number;
  events: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A receiver that takes every delivery (204), so the outbox empties instead of retrying. */
async function startReceiver(): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts` };
}

async function pendingDays(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM alert_pending_days');
  return rows[0].n;
}

/** Waits until no day is left to evaluate and `done` holds, then past the evaluation's own recording. */
async function awaitEvaluated(
  api: HelioxClient,
  pool: Pool,
  done: (totals: EvaluationTotals) => boolean,
): Promise<EvaluationTotals> {
  const deadline = Date.now() + EVALUATION_TIMEOUT_MS;
  for (;;) {
    const pending = await pendingDays(pool);
    if (pending === 0 && done(evaluationTotals(await api.metrics()))) break;
    if (Date.now() > deadline)
      throw new Error(`changed days not evaluated within ${EVALUATION_TIMEOUT_MS / 1000} s (${pending} pending)`);
    await sleep(100);
  }
  await sleep(SETTLE_MS);
  return evaluationTotals(await api.metrics());
}

/**
 * One rule of each kind for every team (`team_id` null), sending to a local receiver; then
 * waits until what earlier uploads marked is evaluated, so that only the next upload's days
 * are timed.
 */
export async function watchEveryTeam(api: HelioxClient, pool: Pool): Promise<AlertWatch> {
  const { server, url } = await startReceiver();
  try {
    const channel = await api.post<{ id: string }>('/api/v1/alerts/channels', {
      name: 'benchmark receiver',
      kind: 'webhook',
      url,
    });
    const rules = [
      { name: 'budgets', kind: 'budget_actual', thresholds_pct: [50, 80, 100] },
      { name: 'forecasts', kind: 'budget_forecast', thresholds_pct: [50, 80, 100] },
      { name: 'anomalies', kind: 'anomaly' },
    ];
    const ruleIds: string[] = [];
    for (const rule of rules) {
      const made = await api.post<{ id: string }>('/api/v1/alerts/rules', {
        ...rule,
        team_id: null,
        channel_id: channel.id,
      });
      ruleIds.push(made.id);
    }
    const { rows } = await pool.query<{ teams: number; budgeted: number }>(
      `SELECT count(*)::int AS teams, (count(*) FILTER (WHERE budget_usd > 0))::int AS budgeted FROM teams`,
    );
    const { teams, budgeted } = rows[0];
    const before = await awaitEvaluated(api, pool, () => true);
    return {
      channelId: channel.id,
      ruleIds,
      teams,
      receiver: server,
      before,
      checks: [
        {
          label: 'every team has a budget for the alert evaluation',
          ok: teams > 0 && budgeted === teams,
          detail: `${budgeted} of ${teams} teams`,
        },
      ],
    };
  } catch (error) {
    server.close();
    throw error;
  }
}

/** The evaluations of the days marked since `watch` was taken, as the API timed them. */
export async function measureEvaluation(api: HelioxClient, pool: Pool, watch: AlertWatch): Promise<Evaluation> {
  const after = await awaitEvaluated(api, pool, (totals) => totals.count > watch.before.count);
  const { rows } = await pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM alert_events WHERE rule_id = ANY($1::uuid[])',
    [watch.ruleIds],
  );
  return {
    ms: (after.seconds - watch.before.seconds) * 1000,
    evaluations: after.count - watch.before.count,
    events: rows[0].n,
  };
}

/** Deletes the rules (their events and deliveries go with them) and the channel, so later figures run without them. */
export async function unwatch(api: HelioxClient, watch: AlertWatch): Promise<void> {
  try {
    for (const id of watch.ruleIds) await api.delete(`/api/v1/alerts/rules/${id}`);
    await api.delete(`/api/v1/alerts/channels/${watch.channelId}`);
  } finally {
    watch.receiver.close();
  }
}

export function alertFigure(evaluation: Evaluation, teams: number, day: ExtraDay, files: ExtraDayFiles): Figure {
  const ratio = evaluation.ms / day.ms;
  const runs = evaluation.evaluations === 1 ? '1 evaluation' : `${evaluation.evaluations} evaluations`;
  return {
    label: ALERT_LABEL,
    heliox: `${formatMs(evaluation.ms)} (${runs}, 3 rules × ${teams} teams, ${evaluation.events} events fired)`,
    reference: `${formatMs(day.ms)} (${files.jobCount.toLocaleString('en-US')} jobs, ${files.snapshotCount} snapshots)`,
    ratio,
    checked: ratio,
    target: ALERT_TARGET,
  };
}
