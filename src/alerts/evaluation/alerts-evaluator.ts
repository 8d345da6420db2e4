import { Mutex } from 'async-mutex';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AllocationService } from '../../allocation/allocation.service';
import { roundCents } from '../../common/money';
import { addDays } from '../../common/calendar';
import { Env } from '../../config/env';
import { MetricsService } from '../../health/metrics.service';
import { anomalyCandidates, budgetCandidates, Candidate, RuleToEvaluate, TeamMonthAmount } from './candidates';
import { dueForEvaluation, PendingDays } from './pending-days';
import { TeamCellDays } from './team-cell-days';
import { ANOMALY_FINDER, AnomalyFinder, BUDGET_FORECASTER, BudgetForecaster } from './sources';

interface SpendRow {
  team_id: string;
  team_name: string;
  month: string;
  budget_usd: string;
  spend: string;
}

/**
 * Writes the candidates' events, skipping those that already fired (UQ_alert_events_once), and
 * one outbox row per new event for its rule's channel: one statement, so an event never exists
 * without its delivery. Rows are inserted in key order, so two evaluations of the same days
 * wait on each other in one order instead of deadlocking.
 */
const FIRE = `
  WITH c AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::int[], $6::text[], $7::text[],
                         $8::numeric[], $9::numeric[], $10::numeric[], $11::text[])
      AS c(rule_id, kind, team_id, period, threshold_pct, provider, gpu_type, value_usd, budget_usd, expected_usd, message)
  ), fired AS (
    INSERT INTO alert_events (rule_id, kind, team_id, period, subject, threshold_pct, provider, gpu_type,
                              value_usd, budget_usd, expected_usd, message)
    SELECT c.rule_id, c.kind, c.team_id, c.period,
           CASE WHEN c.kind = 'anomaly' THEN json_build_array(c.provider, c.gpu_type)::text
                ELSE json_build_array(c.threshold_pct)::text END AS subject,
           c.threshold_pct, c.provider, c.gpu_type, round(c.value_usd, 2), round(c.budget_usd, 2), round(c.expected_usd, 2), c.message
    FROM c JOIN alert_rules r ON r.id = c.rule_id AND r.enabled
    ORDER BY c.rule_id, c.team_id, c.period, subject
    ON CONFLICT ON CONSTRAINT "UQ_alert_events_once" DO NOTHING
    RETURNING id, rule_id
  )
  INSERT INTO alert_deliveries (event_id, channel_id)
  SELECT f.id, r.channel_id FROM fired f JOIN alert_rules r ON r.id = f.rule_id
  RETURNING event_id`;

/**
 * Evaluates the enabled rules over given days: the budget rules over the months those days
 * fall in, anomaly rules over the days themselves. Reading is a few set-based queries whatever
 * the number of rules and teams (one for every team's spend in those months, one forecast per
 * month, one anomaly search over the days' range); writing is the one FIRE statement.
 */
@Injectable()
export class AlertsEvaluator {
  private readonly logger = new Logger(AlertsEvaluator.name);
  private readonly quietSeconds: number;
  /** When this process first saw the marks it has not evaluated yet (Date.now()). */
  private marksSeenAt?: number;
  /**
   * Evaluations of one process take turns: they share the kept day sums (TeamCellDays), and one
   * re-summing trimmed the days another was reading. Processes need not: each keeps its own, and
   * an event fires once by its key.
   */
  private readonly turns = new Mutex();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly allocation: AllocationService,
    private readonly pending: PendingDays,
    private readonly series: TeamCellDays,
    @Inject(BUDGET_FORECASTER) private readonly forecaster: BudgetForecaster,
    @Inject(ANOMALY_FINDER) private readonly anomalies: AnomalyFinder,
    private readonly metrics: MetricsService,
    config: ConfigService<Env, true>,
  ) {
    this.quietSeconds = config.get('ALERT_EVALUATION_QUIET_SECONDS', { infer: true });
  }

  /**
   * Evaluates the days ingestions changed, once they are quiet (dueForEvaluation); returns the
   * number of events fired. A look that evaluates nothing is not timed.
   */
  async evaluatePending(): Promise<number> {
    const done = this.metrics.alertEvaluationDuration.startTimer({ trigger: 'changed_days' });
    const days = await this.pending.read(this.dataSource.manager);
    if (!days.length) {
      this.marksSeenAt = undefined;
      return 0;
    }
    this.marksSeenAt ??= Date.now();
    if (!dueForEvaluation(days, (Date.now() - this.marksSeenAt) / 1000, this.quietSeconds)) return 0;
    this.marksSeenAt = undefined;
    try {
      const dayList = days.map((d) => d.day);
      return await this.evaluateOver(dayList, dayList, (m) => this.pending.clear(m, days));
    } finally {
      done();
    }
  }

  /**
   * The scheduled evaluation: running jobs measured up to now, then today and yesterday (the
   * current month, and the last one on its first day) whether or not an ingestion touched them,
   * so a new rule, a changed budget or a forecast moving with the calendar is caught too.
   */
  async evaluateRecent(now: Date = new Date()): Promise<number> {
    const done = this.metrics.alertEvaluationDuration.startTimer({ trigger: 'scheduled' });
    try {
      await this.allocation.ensureFresh();
      const today = utcDay(now);
      return await this.evaluate([addDays(today, -1), today]);
    } finally {
      done();
    }
  }

  /**
   * Evaluates every enabled rule over the days (`YYYY-MM-DD`); returns the number of events fired.
   * The anomaly series of the days still pending are re-summed first: what the anomaly rules
   * judge is never older than the allocation. Re-summing does not clear them (evaluatePending
   * does, in the transaction that fires their events).
   */
  async evaluate(days: string[]): Promise<number> {
    const pending = (await this.pending.read(this.dataSource.manager)).map((d) => d.day);
    return this.evaluateOver(days, pending);
  }

  /** `stale`: the days whose anomaly series are re-summed first (those still pending). */
  private async evaluateOver(
    days: string[],
    stale: string[],
    alsoInTransaction?: (m: EntityManager) => Promise<void>,
  ): Promise<number> {
    return this.turns.runExclusive(() => this.evaluateInTurn(days, stale, alsoInTransaction));
  }

  private async evaluateInTurn(
    days: string[],
    stale: string[],
    alsoInTransaction?: (m: EntityManager) => Promise<void>,
  ): Promise<number> {
    const started = Date.now();
    await this.series.resum(stale);
    const rules = await this.dataSource.query<RuleToEvaluate[]>(
      `SELECT id, name, kind, thresholds_pct, team_id FROM alert_rules WHERE enabled ORDER BY id`,
    );
    const candidates = rules.length ? await this.candidates(rules, days) : [];
    const fired = await this.dataSource.transaction(async (m) => {
      const rows = candidates.length ? await m.query<unknown[]>(FIRE, columns(candidates)) : [];
      if (alsoInTransaction) await alsoInTransaction(m);
      return rows.length;
    });
    if (fired) this.logger.log(`Alerts: ${fired} events fired over ${days.length} days in ${Date.now() - started} ms`);
    return fired;
  }

  /** The three kinds read independently, so their queries run side by side on the pool's connections. */
  private async candidates(rules: RuleToEvaluate[], days: string[]): Promise<Candidate[]> {
    const kinds = new Set(rules.map((r) => r.kind));
    const months = [...new Set(days.map((d) => d.slice(0, 7)))].sort();
    const teamId = onlyTeam(rules);
    const none = Promise.resolve<Candidate[]>([]);
    // A forecast is about a month still running: a past month's is its actual spend.
    const current = utcDay(new Date()).slice(0, 7);
    const found = await Promise.all([
      kinds.has('budget_actual')
        ? this.spend(months, teamId).then((amounts) => budgetCandidates(rules, amounts, 'budget_actual'))
        : none,
      kinds.has('budget_forecast') && months.includes(current)
        ? this.forecaster.forecastMonth(teamId, current).then((forecasts) =>
            budgetCandidates(
              rules,
              forecasts.map((f) => ({
                team_id: f.team_id,
                team_name: f.team_name,
                month: current,
                budget_usd: f.budget_usd,
                amount_usd: f.forecast_usd,
              })),
              'budget_forecast',
            ),
          )
        : none,
      kinds.has('anomaly') ? this.anomalyCandidates(rules, days, teamId) : none,
    ]);
    return found.flat();
  }

  private async anomalyCandidates(
    rules: RuleToEvaluate[],
    days: string[],
    teamId: string | null,
  ): Promise<Candidate[]> {
    const sorted = [...days].sort();
    const wanted = new Set(days);
    const found = await this.anomalies.find({
      start: sorted[0],
      end: sorted[sorted.length - 1],
      ...(teamId ? { teamId } : {}),
    });
    return anomalyCandidates(
      rules,
      found.filter((a) => wanted.has(a.day)),
    );
  }

  /** Every budgeted team's allocated spend in each month (the sums `/analytics/budgets` shows). */
  private async spend(months: string[], teamId: string | null): Promise<TeamMonthAmount[]> {
    const rows = await this.dataSource.query<SpendRow[]>(
      // Each month's day rows summed by a range of the day key first, then matched to the teams:
      // joined to every team before summing, the planner scanned the whole table (10 ms of an
      // evaluation at a million jobs, against 1 ms).
      `WITH months AS (SELECT m.first, (m.first + interval '1 month')::date AS next FROM unnest($1::date[]) AS m(first)),
       spent AS (
         SELECT m.first, d.team_id, sum(d.cost_usd) AS spend
         FROM months m JOIN allocation_team_days d ON d.day >= m.first AND d.day < m.next
         GROUP BY m.first, d.team_id
       )
       SELECT t.id AS team_id, t.name AS team_name, to_char(m.first, 'YYYY-MM') AS month,
              t.budget_usd::text AS budget_usd, coalesce(s.spend, 0)::text AS spend
       FROM months m
       CROSS JOIN teams t
       LEFT JOIN spent s ON s.first = m.first AND s.team_id = t.id
       WHERE t.budget_usd > 0 AND ($2::uuid IS NULL OR t.id = $2::uuid)`,
      [months.map((m) => `${m}-01`), teamId],
    );
    return rows.map((r) => ({
      team_id: r.team_id,
      team_name: r.team_name,
      month: r.month,
      budget_usd: Number(r.budget_usd),
      amount_usd: roundCents(r.spend),
    }));
  }
}

const utcDay = (at: Date) => at.toISOString().slice(0, 10);

/** The one team every rule watches, or null when some rule watches every team or they differ. */
function onlyTeam(rules: RuleToEvaluate[]): string | null {
  const teams = new Set(rules.map((r) => r.team_id));
  return teams.size === 1 && !teams.has(null) ? [...teams][0] : null;
}

/** The candidates as the FIRE statement's parallel arrays. */
function columns(c: Candidate[]): unknown[] {
  return [
    c.map((x) => x.rule_id),
    c.map((x) => x.kind),
    c.map((x) => x.team_id),
    c.map((x) => x.period),
    c.map((x) => x.threshold_pct),
    c.map((x) => x.provider),
    c.map((x) => x.gpu_type),
    c.map((x) => x.value_usd),
    c.map((x) => x.budget_usd),
    c.map((x) => x.expected_usd),
    c.map((x) => x.message),
  ];
}
