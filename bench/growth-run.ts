import { addDays } from '../src/common/calendar';
import { BY_TEAM, checkAgreement, lastDays, Question, QUESTIONS } from './analytics-figures';
import { DatabaseHost } from './database-host';
import { BenchTeam } from './dataset';
import { NdjsonPart } from './dataset-files';
import { StageMeasurement, stagedFigures, stagedTargets, storageSection, StorageRow } from './growth-run-figures';
import { GrowthPlan } from './growth-run-plan';
import { seedStage, settle, Stage, startStage, stopStage } from './heliox-stage';
import { ingestCounts } from './heliox-client';
import { walkToPage } from './jobs-load-figures';
import { RssSampler } from './processes';
import { ExtraDayFiles, ingestExtraDay, timeRebuild, upkeepSeconds } from './refresh-figures';
import { Check, Figure, unmeasured } from './report';
import { sampleLatencies, SamplingPlan, timed } from './stats';

/**
 * A growth run (`npm run bench -- --jobs 10000000`): one API on one database. The stage's M jobs
 * are loaded and measured (ingestion rate, storage, reads, a one-day upload, a rebuild); then the
 * other N − M jobs are loaded onto them and everything is measured again. The rows are N ÷ M.
 */

export interface GrowthRunInput {
  host: DatabaseHost;
  plan: GrowthPlan;
  teams: BenchTeam[];
  files: {
    stage: NdjsonPart[];
    rest: NdjsonPart[];
    costs: string;
    days: [ExtraDayFiles, ExtraDayFiles];
  };
  sampling: SamplingPlan;
  log: (message: string) => void;
  onCleanup(task: () => Promise<void>): () => Promise<void>;
}

export interface GrowthRunResult {
  figures: Figure[];
  checks: Check[];
  /** Markdown sections after the checks (bytes on disk per job). */
  sections: string[];
}

const NDJSON = 'application/x-ndjson';

/** The deep page of `GET /jobs`: the same page number at both stages. */
const deepPageOf = (stageJobs: number) => Math.max(2, Math.min(10_000, Math.floor(stageJobs / 50)));

interface TimedRead {
  name: string;
  /** The path to time at the stage; the deep page walks there by cursor first. */
  pathAt(api: Stage, lastDay: string): Promise<string>;
}

function timedReads(deepPage: number): TimedRead[] {
  const analytics = (question: Question, days: number): TimedRead => ({
    name: `analytics ${question.name}, ${days} d`,
    pathAt: (_api, lastDay) => {
      const { start, end } = lastDays(lastDay, days);
      return Promise.resolve(question.path(start, end));
    },
  });
  const teamModel = QUESTIONS.find((q) => q.name === 'group_by=team,model')!;
  return [
    analytics(BY_TEAM, 30),
    analytics(BY_TEAM, 365),
    analytics(teamModel, 30),
    analytics(teamModel, 365),
    // The deep page and page 1 back to back, as in the main run.
    {
      name: `GET /jobs page ${deepPage.toLocaleString('en-US')} by cursor`,
      pathAt: async (api) => `/api/v1/jobs?${await walkToPage(api.client, deepPage)}`,
    },
    { name: 'GET /jobs first page', pathAt: () => Promise.resolve('/api/v1/jobs?limit=50') },
  ];
}

/** Sizes of the tables (with indexes and TOAST), largest first. */
async function storageOf(stage: Stage): Promise<StorageRow[]> {
  const { rows } = await stage.pool.query<{ table: string; bytes: string }>(
    `SELECT c.relname AS table, pg_total_relation_size(c.oid) AS bytes
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind = 'r'
     ORDER BY 2 DESC, 1`,
  );
  return rows.map((r) => ({ table: r.table, bytes: Number(r.bytes) }));
}

export async function runGrowthScenario(input: GrowthRunInput): Promise<GrowthRunResult> {
  const { plan, files, log } = input;
  const checks: Check[] = [];
  const deepPage = deepPageOf(plan.stage.jobs);
  const reads = timedReads(deepPage);
  const readNames = reads.map((r) => r.name);
  const jobs = plan.stage.jobs + plan.rest.jobs;

  const api = await startStage(input.host, 'growth');
  const stop = input.onCleanup(() => stopStage(input.host, api));
  try {
    await seedStage(api, input.teams, files.costs);

    /** Loads the parts in month order, measures everything at the size reached. */
    const measure = async (
      name: string,
      parts: NdjsonPart[],
      day: ExtraDayFiles,
      dayOfUpload: string,
    ): Promise<StageMeasurement> => {
      const loaded = parts.reduce((sum, p) => sum + p.records, 0);
      log(`${name}: loading ${loaded.toLocaleString('en-US')} jobs in ${parts.length} uploads`);
      const sampler = new RssSampler(api.api.pid);
      sampler.start();
      let peakRssBytes = 0;
      let inserted = 0;
      const upkeepBefore = await upkeepSeconds(api.client);
      const ingest = await timed(async () => {
        for (const part of parts) {
          const counts = ingestCounts(await api.client.ingestFile('jobs', part.file, NDJSON), 'jobs');
          inserted += counts.inserted;
          log(`${name}: ${part.part} ${counts.inserted.toLocaleString('en-US')} inserted`);
        }
      }).finally(() => (peakRssBytes = sampler.stop()));
      const ingestUpkeepMs = ((await upkeepSeconds(api.client)) - upkeepBefore) * 1000;
      checks.push({
        label: `${name}: every job of its uploads is inserted`,
        ok: inserted === loaded,
        detail: `${inserted.toLocaleString('en-US')} of ${loaded.toLocaleString('en-US')}`,
      });
      const [{ count }] = (await api.pool.query<{ count: string }>(`SELECT count(*) FROM jobs`)).rows;
      log(`${name}: ${Number(count).toLocaleString('en-US')} jobs in the database; VACUUM ANALYZE, CHECKPOINT`);
      // The reads are timed in steady state: no autovacuum or checkpoint of the load under way.
      const settled = await timed(async () => {
        await settle(api);
        await api.pool.query('CHECKPOINT');
      });
      const storage = await storageOf(api);

      log(`${name}: reads`);
      const measured = new Map<string, number[]>();
      for (const read of reads) {
        const path = await read.pathAt(api, plan.lastDay);
        measured.set(read.name, await sampleLatencies(() => api.client.get(path), input.sampling));
      }

      log(`${name}: one-day upload on ${dayOfUpload}`);
      const uploaded = await ingestExtraDay(api.client, day);
      checks.push(...uploaded.checks.map((c) => ({ ...c, label: `${name}: ${c.label}` })));
      const month = lastDays(dayOfUpload, 30);
      checks.push(await checkAgreement(api.client, api.pool, BY_TEAM, month.start, month.end, `at ${name}`));

      log(`${name}: npm run allocation:rebuild`);
      const rebuild = await timeRebuild(api.env);
      if ('missing' in rebuild) throw new Error(rebuild.missing);
      const year = lastDays(dayOfUpload, 365);
      checks.push(
        await checkAgreement(api.client, api.pool, BY_TEAM, year.start, year.end, `after the rebuild at ${name}`),
      );
      return {
        jobs: Number(count),
        loaded,
        ingestMs: ingest.ms,
        ingestUpkeepMs,
        uploads: parts.length,
        peakRssBytes,
        settleMs: settled.ms,
        storage,
        reads: measured,
        day: uploaded,
        rebuildMs: rebuild.rebuildMs,
      };
    };

    let atStage: StageMeasurement;
    let atFull: StageMeasurement;
    try {
      atStage = await measure(
        `the stage (${plan.stage.jobs.toLocaleString('en-US')} jobs)`,
        files.stage,
        files.days[0],
        addDays(plan.lastDay, 1),
      );
      atFull = await measure(
        `all ${jobs.toLocaleString('en-US')} jobs`,
        files.rest,
        files.days[1],
        addDays(plan.lastDay, 2),
      );
    } catch (error) {
      log(`growth run failed: ${error instanceof Error ? error.stack : String(error)}`);
      const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0].slice(0, 300);
      return {
        figures: stagedTargets(plan.stage.jobs, jobs, readNames).map(([label, target]) =>
          unmeasured(label, target, reason),
        ),
        checks,
        sections: [],
      };
    }
    return {
      figures: stagedFigures({ stageJobs: plan.stage.jobs, jobs }, atStage, atFull, readNames),
      checks,
      sections: [storageSection(atStage, atFull)],
    };
  } finally {
    await stop();
  }
}
