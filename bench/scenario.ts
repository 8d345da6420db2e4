import path from 'node:path';
import {
  ALERT_LABEL,
  ALERT_TARGET,
  alertFigure,
  AlertWatch,
  measureEvaluation,
  unwatch,
  watchEveryTeam,
} from './alert-figures';
import {
  ANALYTICS_DAYS,
  ANALYTICS_TARGET,
  analyticsFigure,
  analyticsLabel,
  BY_TEAM,
  checkAgreement,
  lastDays,
  QUESTIONS,
  QuestionTiming,
  timeQuestion,
} from './analytics-figures';
import {
  ANOMALY_BENCH_SETTINGS,
  anomalyFigures,
  FALSE_ALARM_LABEL,
  FALSE_ALARM_TARGET,
  measureAnomalies,
  RECALL_LABEL,
  RECALL_TARGET,
} from './anomaly-figures';
import { PlantedSpike, withSpikeJobs } from './anomaly-spikes';
import { DatabaseHost } from './database-host';
import { DatasetPlan, generateJobs, BenchTeam } from './dataset';
import { WrittenFiles } from './dataset-files';
import { backtest, checkForecastAgreement, FORECAST_FIGURES, forecastFigures } from './forecast-figures';
import { GROWTH_TARGET, growthFigure, growthLabel } from './growth-figures';
import { seedStage, settle, Stage, startStage, stopStage } from './heliox-stage';
import { INGESTION_FIGURES, measureCopyLimit, measureIngestion } from './ingestion-figures';
import {
  checkSamePage,
  compareUnderLoad,
  CURSOR_TARGET,
  cursorDepthFigure,
  cursorLabel,
  LOAD_TARGET,
  loadLabel,
  pageLatency,
  walkToPage,
} from './jobs-load-figures';
import {
  dashboardWindow,
  measureMixedLoad,
  mixedLoadFigures,
  mixedLoadPhases,
  mixedLoadTargets,
} from './mixed-load-figures';
import { REPO_ROOT, ServerProcess } from './processes';
import {
  ExtraDay,
  ingestExtraDay,
  REFRESH_LABEL,
  REFRESH_TARGET,
  refreshFigures,
  timeRebuild,
  UPKEEP_LABEL,
} from './refresh-figures';
import { Check, Figure, Target, unmeasured } from './report';
import { sampleLatencies, SamplingPlan } from './stats';

/**
 * The sequence of one run. Each section either yields its figures or, when something it needs
 * is missing or broken, marks exactly those figures as not measured, and the run goes on.
 */

export interface ScenarioInput {
  host: DatabaseHost;
  plan: DatasetPlan;
  teams: BenchTeam[];
  files: {
    main: WrittenFiles;
    small: WrittenFiles;
    extra: WrittenFiles;
    costs: WrittenFiles;
    extraCosts: WrittenFiles;
  };
  /** The cost spikes planted in the main job set and the bills (anomaly figures). */
  spikes: PlantedSpike[];
  workDir: string;
  loadSeconds: number;
  sampling: SamplingPlan;
  log: (message: string) => void;
  /** Registers a stop for the cleanup of an interrupted run; returns the function that runs it now. */
  onCleanup(task: () => Promise<void>): () => Promise<void>;
  /** Sections that run.ts adds, measured on the main API with the whole dataset, before the uploads of the last section. */
  extraSections?: ExtraSection[];
}

interface ExtraSection {
  name: string;
  /** The figures it yields, each marked not measured if it fails. */
  expected: [string, Target][];
  run(api: Stage): Promise<ScenarioResult>;
}

export interface ScenarioResult {
  figures: Figure[];
  checks: Check[];
}

const NDJSON = 'application/x-ndjson';
const errorText = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0].slice(0, 300);

export async function runScenario(input: ScenarioInput): Promise<ScenarioResult> {
  const { plan, files, log } = input;
  const figures: Figure[] = [];
  const checks: Check[] = [];
  const jobs = plan.main.jobs;
  const year = lastDays(plan.lastDay, 365);
  const cursorPage = Math.max(2, Math.min(10_000, Math.floor(jobs / 50)));

  // Once the dataset could not be ingested, every later figure would measure an empty database.
  let blocked: string | undefined;
  const section = async (
    name: string,
    expected: [string, Target][],
    body: () => Promise<Figure[]>,
  ): Promise<boolean> => {
    if (blocked) {
      figures.push(...expected.map(([label, target]) => unmeasured(label, target, blocked!)));
      return false;
    }
    try {
      figures.push(...(await body()));
      return true;
    } catch (error) {
      log(`${name} failed: ${error instanceof Error ? error.stack : String(error)}`);
      figures.push(...expected.map(([label, target]) => unmeasured(label, target, `${name}: ${errorText(error)}`)));
      return false;
    }
  };

  const stage = async (purpose: string) => {
    const started = await startStage(input.host, purpose);
    return { stage: started, stop: input.onCleanup(() => stopStage(input.host, started)) };
  };

  // Baseline of the growth figures: the same days with a fiftieth of the jobs.
  let baseline: { page1: number[]; byTeam: number[] } | undefined;
  await section('growth baseline at N/50 jobs', [], async () => {
    log(`baseline: ${plan.small.jobs.toLocaleString('en-US')} jobs`);
    const small = await stage('small');
    try {
      await seedStage(small.stage, input.teams, files.costs.ndjson);
      await small.stage.client.ingestFile('jobs', files.small.ndjson, NDJSON);
      await settle(small.stage);
      // The baseline API has just booted, while the main one is measured after minutes of
      // traffic: one discarded round each puts both on a warmed-up process.
      await pageLatency(small.stage.client, 'limit=50', input.sampling);
      await sampleLatencies(() => small.stage.client.get(BY_TEAM.path(year.start, year.end)), input.sampling);
      baseline = {
        page1: await pageLatency(small.stage.client, 'limit=50', input.sampling),
        byTeam: await sampleLatencies(() => small.stage.client.get(BY_TEAM.path(year.start, year.end)), input.sampling),
      };
    } finally {
      await small.stop();
    }
    return [];
  });

  log(`main: ${jobs.toLocaleString('en-US')} jobs`);
  const main = await stage('main');
  const api: Stage = main.stage;
  await seedStage(api, input.teams, files.costs.ndjson);

  const ingested = await section('ingestion', INGESTION_FIGURES, async () => {
    log('COPY reference');
    const copy = await measureCopyLimit(
      api.databaseUrl,
      input.teams,
      () => withSpikeJobs(generateJobs(plan.main), input.spikes),
      path.join(input.workDir, 'jobs.copy.csv'),
    );
    log(`COPY: ${Math.round(copy.rowsPerSecond)} rows/s; ingesting through the API`);
    const result = await measureIngestion(api.client, api.api.pid, files.main.ndjson, files.main.records, copy);
    checks.push(...result.checks);
    return result.figures;
  });
  if (ingested) await settle(api);
  else blocked = 'the ingestion of the dataset failed';

  const timings: QuestionTiming[] = [];
  for (const days of ANALYTICS_DAYS) {
    const { start, end } = lastDays(plan.lastDay, days);
    for (const question of QUESTIONS) {
      await section(
        `analytics ${question.name} ${days} d`,
        [[analyticsLabel(question, days), ANALYTICS_TARGET]],
        async () => {
          log(`analytics ${question.name}, ${days} d`);
          checks.push(await checkAgreement(api.client, api.pool, question, start, end, 'after ingestion'));
          const timing = await timeQuestion(api.client, api.pool, question, plan.lastDay, days, input.sampling);
          timings.push(timing);
          return [analyticsFigure(timing)];
        },
      );
    }
  }

  await section('forecast backtest', FORECAST_FIGURES, async () => {
    log('forecast backtest on days 7, 14 and 21 of every whole month');
    const { check, teams } = await checkForecastAgreement(api.client, api.pool, plan.lastDay);
    checks.push(check);
    return forecastFigures(backtest(teams, plan.firstDay, plan.lastDay), plan.firstDay, plan.lastDay);
  });

  await section(
    'anomalies',
    [
      [RECALL_LABEL, RECALL_TARGET],
      [FALSE_ALARM_LABEL, FALSE_ALARM_TARGET],
    ],
    async () => {
      log(`anomalies over ${plan.firstDay} … ${plan.lastDay}: ${input.spikes.length} planted`);
      const { minUsd, minScore, minHistoryDays } = ANOMALY_BENCH_SETTINGS;
      const score = await measureAnomalies(api.client, input.spikes, {
        firstDay: plan.firstDay,
        lastDay: plan.lastDay,
        teams: input.teams.length,
        minHistoryDays,
      });
      return anomalyFigures(score, `min $${minUsd}, score ≥ ${minScore}`);
    },
  );

  await section(
    'growth',
    [
      [growthLabel('GET /jobs page 1'), GROWTH_TARGET],
      [growthLabel('analytics by-team 365 d'), GROWTH_TARGET],
    ],
    async () => {
      const page1 = await pageLatency(api.client, 'limit=50', input.sampling);
      const byTeam = timings.find((t) => t.question === BY_TEAM && t.days === 365);
      if (!baseline) throw new Error('the N/50 baseline could not be measured');
      if (!byTeam) throw new Error('by-team 365 d could not be measured');
      return [
        growthFigure('GET /jobs page 1', page1, baseline.page1, jobs),
        growthFigure('analytics by-team 365 d', byTeam.heliox, baseline.byTeam, jobs),
      ];
    },
  );

  const pageNames = [
    'first page',
    'filtered page (team_id, status)',
    `page ${cursorPage.toLocaleString('en-US')} by cursor`,
  ];
  await section(
    'GET /jobs under load',
    [
      ...pageNames.map((n): [string, Target] => [loadLabel(n, input.loadSeconds), LOAD_TARGET]),
      [cursorLabel(cursorPage), CURSOR_TARGET],
    ],
    async () => {
      log(`walking to page ${cursorPage} by cursor`);
      const deepQuery = await walkToPage(api.client, cursorPage);
      const [team] = await api.pool
        .query<{ id: string }>(`SELECT id FROM teams WHERE name = $1`, [input.teams[9].name])
        .then((r) => r.rows);
      // Page 1 and the deep page are timed back to back, before any load, under the same conditions.
      const deepLatency = await pageLatency(api.client, deepQuery, input.sampling);
      const firstLatency = await pageLatency(api.client, 'limit=50', input.sampling);
      const reference = await ServerProcess.start({
        name: 'express-reference',
        script: path.join(REPO_ROOT, 'dist/bench/express-reference.js'),
        env: { DATABASE_URL: api.databaseUrl },
        readyPath: '/health',
      });
      const stopReference = input.onCleanup(() => reference.stop());
      try {
        const queries = ['limit=50', `limit=50&team_id=${team.id}&status=completed`, deepQuery];
        const loaded: Figure[] = [];
        for (const [i, query] of queries.entries()) {
          log(`load: ${pageNames[i]}`);
          const page = { name: pageNames[i], query };
          checks.push(await checkSamePage(api.client, reference.baseUrl, page));
          loaded.push(await compareUnderLoad(api.client, reference.baseUrl, page, input.loadSeconds));
        }
        return [cursorDepthFigure(cursorPage, deepLatency, firstLatency), ...loaded];
      } finally {
        await stopReference();
      }
    },
  );

  await section(
    'incremental refresh',
    [
      [REFRESH_LABEL, REFRESH_TARGET],
      [UPKEEP_LABEL, REFRESH_TARGET],
      [ALERT_LABEL, ALERT_TARGET],
    ],
    async () => {
      // The alert rules watch the one-day ingestion; their evaluation is measured right after it,
      // before anything else runs, and they are deleted before the rebuild.
      log('alert rules: one of each kind for every team');
      let watch: AlertWatch | string;
      try {
        watch = await watchEveryTeam(api.client, api.pool);
        checks.push(...watch.checks);
      } catch (error) {
        log(`alert rules failed: ${error instanceof Error ? error.stack : String(error)}`);
        watch = `alert rules: ${errorText(error)}`;
      }
      log(`one more day: ${plan.extra.jobs} jobs on ${plan.extraDay}`);
      const extraDay = {
        costs: files.extraCosts.ndjson,
        jobs: files.extra.ndjson,
        jobCount: files.extra.records,
        snapshotCount: files.extraCosts.records,
      };
      let alerts: Figure;
      let day: ExtraDay;
      try {
        day = await ingestExtraDay(api.client, extraDay);
        if (typeof watch === 'string') {
          alerts = unmeasured(ALERT_LABEL, ALERT_TARGET, watch);
        } else {
          log('waiting for the alert evaluation of the days it changed');
          try {
            alerts = alertFigure(await measureEvaluation(api.client, api.pool, watch), watch.teams, day, extraDay);
          } catch (error) {
            log(`alert evaluation failed: ${error instanceof Error ? error.stack : String(error)}`);
            alerts = unmeasured(ALERT_LABEL, ALERT_TARGET, `alert evaluation: ${errorText(error)}`);
          }
        }
      } finally {
        if (typeof watch !== 'string')
          await unwatch(api.client, watch).catch((error: unknown) =>
            log(`deleting the alert rules failed: ${errorText(error)}`),
          );
      }
      checks.push(...day.checks);
      const month = lastDays(plan.extraDay, 30);
      checks.push(await checkAgreement(api.client, api.pool, BY_TEAM, month.start, month.end, 'after the extra day'));
      log('npm run allocation:rebuild');
      const rebuild = await timeRebuild(api.env);
      if (!('missing' in rebuild))
        checks.push(
          await checkAgreement(api.client, api.pool, BY_TEAM, year.start, plan.extraDay, 'after the rebuild'),
        );
      return [...refreshFigures(day, rebuild, extraDay), alerts];
    },
  );

  for (const extra of input.extraSections ?? []) {
    await section(extra.name, extra.expected, async () => {
      const result = await extra.run(api);
      checks.push(...result.checks);
      return result.figures;
    });
  }

  // Last, because its uploads add days of jobs that the figures above must not see.
  const phases = mixedLoadPhases(input.loadSeconds);
  await section('reads during uploads', mixedLoadTargets(phases), async () => {
    const result = await measureMixedLoad({
      client: api.client,
      pid: api.api.pid,
      plan,
      phases,
      workDir: input.workDir,
      log,
    });
    checks.push(...result.checks);
    const window = dashboardWindow(plan);
    checks.push(
      await checkAgreement(api.client, api.pool, BY_TEAM, window.start, window.end, 'after the uploads during reads'),
    );
    return mixedLoadFigures(result.measurement);
  });

  await main.stop();
  return { figures, checks };
}
