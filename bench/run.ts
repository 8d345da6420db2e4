import { mkdirSync, promises as fs, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DASHBOARD_LABEL, DASHBOARD_TARGET, measureDashboard } from './dashboard-figures';
import { DatabaseHost } from './database-host';
import { plantAnomalySpikes } from './anomaly-figures';
import { withSpikeBills, withSpikeJobs } from './anomaly-spikes';
import { BenchTeam, generateJobs, generateSnapshots, generateTeams, JobsSpec, planDatasets } from './dataset';
import { JOB_FIELDS } from '../src/ingestion/records/job-record';
import { SNAPSHOT_FIELDS, writeNdjsonParts, writeRecords } from './dataset-files';
import { runGrowthScenario } from './growth-run';
import { planGrowth, uploadMonthOf } from './growth-run-plan';
import { describeMachine } from './machine';
import { BenchOptions, parseOptions, USAGE, UsageError } from './options';
import { ExtraDayFiles } from './refresh-figures';
import { Check, Figure, MachineDescription, renderReport, verdict } from './report';
import { runScenario } from './scenario';
import { SamplingPlan } from './stats';

/**
 * `npm run bench -- [--jobs N] [--days D] [--out FILE] …`: generates the dataset, runs the
 * scenario (or, with a stage, the growth run) against the production build, prints the table and
 * writes it to --out.
 * Exit code: 0 when every figure was measured and every correctness check held (missed speed
 * targets count only with --strict), 1 otherwise, 2 on bad options, 130 when interrupted.
 */

const log = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

/** Stops what the run started, newest first, also when the run is interrupted. */
class Cleanup {
  private readonly tasks: (() => Promise<void>)[] = [];
  private running?: Promise<void>;
  /** Set by SIGINT/SIGTERM: the run stops and writes no results. */
  interrupted = false;

  add(task: () => Promise<void>): () => Promise<void> {
    let done: Promise<void> | undefined;
    const once = () => (done ??= task());
    this.tasks.push(once);
    return async () => {
      this.tasks.splice(this.tasks.indexOf(once), 1);
      await once();
    };
  }

  /** Runs the tasks once; a second caller waits for the same run. */
  run(): Promise<void> {
    return (this.running ??= this.drain());
  }

  private async drain(): Promise<void> {
    while (this.tasks.length) {
      const task = this.tasks.pop()!;
      await task().catch((error: Error) => log(`cleanup: ${error.message}`));
    }
  }
}

/** What a run measured, for the report. */
interface RunOutcome {
  firstDay: string;
  lastDay: string;
  machine: MachineDescription;
  figures: Figure[];
  checks: Check[];
  sections?: string[];
}

interface RunContext {
  options: BenchOptions;
  cleanup: Cleanup;
  workDir: string;
  dataDir: string;
  teams: BenchTeam[];
  /** Each side of a latency figure gets as long as a load run, with at least 5 samples. */
  sampling: SamplingPlan;
}

async function startHost(context: RunContext): Promise<{ host: DatabaseHost; machine: MachineDescription }> {
  const host = await DatabaseHost.start(process.env.DATABASE_URL, context.workDir);
  context.cleanup.add(() => host.stop());
  const machine = await describeMachine(host);
  log(`PostgreSQL ${machine.postgres}, ${machine.database}`);
  return { host, machine };
}

/** The default run: every figure at N jobs, with the N/50 baseline. */
async function fullRun(context: RunContext): Promise<RunOutcome> {
  const { options, dataDir, cleanup, sampling } = context;
  const plan = planDatasets(options);
  log(`writing ${options.jobs.toLocaleString('en-US')} jobs over ${plan.firstDay} … ${plan.lastDay} to ${dataDir}`);
  const spikes = plantAnomalySpikes(plan, options.seed);
  log(`${spikes.length} cost spikes planted for the anomaly figures`);
  const files = {
    main: await writeRecords(withSpikeJobs(generateJobs(plan.main), spikes), dataDir, 'jobs', JOB_FIELDS),
    small: await writeRecords(generateJobs(plan.small), dataDir, 'jobs-n50', JOB_FIELDS),
    extra: await writeRecords(generateJobs(plan.extra), dataDir, 'jobs-extra-day', JOB_FIELDS),
    costs: await writeRecords(
      withSpikeBills(generateSnapshots(plan.firstDay, plan.lastDay, options.seed), spikes),
      dataDir,
      'costs',
      SNAPSHOT_FIELDS,
    ),
    extraCosts: await writeRecords(
      generateSnapshots(plan.extraDay, plan.extraDay, options.seed + 1),
      dataDir,
      'costs-extra-day',
      SNAPSHOT_FIELDS,
    ),
  };

  const { host, machine } = await startHost(context);
  const { figures, checks } = await runScenario({
    host,
    plan,
    teams: context.teams,
    files,
    spikes,
    workDir: dataDir,
    loadSeconds: options.duration,
    sampling,
    log,
    onCleanup: (task) => cleanup.add(task),
    extraSections: [
      {
        name: 'dashboard',
        expected: [[DASHBOARD_LABEL, DASHBOARD_TARGET]],
        run: (api) => measureDashboard(api.client, sampling, log),
      },
    ],
  });
  return { firstDay: plan.firstDay, lastDay: plan.lastDay, machine, figures, checks };
}

/** A growth run: the figures at the stage's M jobs, then again at N (growth-run.ts). */
async function growthRun(context: RunContext, stageJobs: number): Promise<RunOutcome> {
  const { options, dataDir, cleanup } = context;
  const plan = planGrowth({ ...options, stageJobs });
  log(
    `writing ${options.jobs.toLocaleString('en-US')} jobs (a stage of ${stageJobs.toLocaleString('en-US')}) ` +
      `over ${plan.firstDay} … ${plan.lastDay} to ${dataDir}, one file per start month`,
  );
  const day = async (spec: JobsSpec, name: string): Promise<ExtraDayFiles> => {
    const [jobs] = await writeNdjsonParts(generateJobs(spec), dataDir, name, () => 'jobs');
    const [costs] = await writeNdjsonParts(
      generateSnapshots(spec.firstDay, spec.firstDay, spec.seed),
      dataDir,
      name,
      () => 'costs',
    );
    return { jobs: jobs.file, jobCount: jobs.records, costs: costs.file, snapshotCount: costs.records };
  };
  const [costs] = await writeNdjsonParts(
    generateSnapshots(plan.firstDay, plan.lastDay, options.seed),
    dataDir,
    'dataset',
    () => 'costs',
  );
  const files = {
    stage: await writeNdjsonParts(generateJobs(plan.stage), dataDir, 'stage-jobs', uploadMonthOf),
    rest: await writeNdjsonParts(generateJobs(plan.rest), dataDir, 'rest-jobs', uploadMonthOf),
    costs: costs.file,
    days: [await day(plan.days[0], 'first-day'), await day(plan.days[1], 'second-day')] as [
      ExtraDayFiles,
      ExtraDayFiles,
    ],
  };
  log('files written');

  const { host, machine } = await startHost(context);
  const result = await runGrowthScenario({
    host,
    plan,
    teams: context.teams,
    files,
    sampling: context.sampling,
    log,
    onCleanup: (task) => cleanup.add(task),
  });
  return { firstDay: plan.firstDay, lastDay: plan.lastDay, machine, ...result };
}

async function bench(options: BenchOptions, cleanup: Cleanup): Promise<number> {
  const startedAt = new Date();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'heliox-bench-'));
  const dataDir = path.join(workDir, 'data');
  mkdirSync(dataDir);
  cleanup.add(async () => {
    if (options.keepFiles) {
      await fs.rm(path.join(workDir, 'pg'), { recursive: true, force: true });
      log(`dataset kept in ${dataDir}`);
    } else {
      await fs.rm(workDir, { recursive: true, force: true });
    }
  });
  const context: RunContext = {
    options,
    cleanup,
    workDir,
    dataDir,
    teams: generateTeams(options.seed),
    sampling: {
      samples: options.samples,
      budgetMs: options.duration * 1000,
      minSamples: Math.min(5, options.samples),
    },
  };
  const outcome = options.stageJobs ? await growthRun(context, options.stageJobs) : await fullRun(context);

  const report = renderReport(
    {
      jobs: options.jobs,
      stageJobs: options.stageJobs,
      days: options.days,
      firstDay: outcome.firstDay,
      lastDay: outcome.lastDay,
      seed: options.seed,
      loadSeconds: options.duration,
      startedAt: startedAt.toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
      elapsedSeconds: (Date.now() - startedAt.getTime()) / 1000,
    },
    outcome.machine,
    outcome.figures,
    outcome.checks,
    outcome.sections,
  );
  if (cleanup.interrupted) throw new Error('interrupted: no results written');
  await fs.mkdir(path.dirname(path.resolve(options.out)), { recursive: true });
  await fs.writeFile(options.out, report);
  process.stdout.write(`\n${report}\n`);
  log(`written to ${options.out}`);

  const verdicts = outcome.figures.map(verdict);
  const broken = verdicts.includes('not measured') || outcome.checks.some((c) => !c.ok);
  const missed = verdicts.includes('fail');
  return broken || (options.strict && missed) ? 1 : 0;
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  const cleanup = new Cleanup();
  const interrupt = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the API, the references and the database`);
    cleanup.interrupted = true;
    void cleanup.run().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  // Whatever goes wrong, the servers and the temp dir must not outlive the run.
  process.on('uncaughtException', (error) => {
    log(`harness error: ${error.stack ?? error.message}`);
    void cleanup.run().finally(() => process.exit(1));
  });
  let code = 1;
  try {
    code = await bench(options, cleanup);
  } catch (error) {
    if (!cleanup.interrupted) log(`harness error: ${error instanceof Error ? error.stack : String(error)}`);
  } finally {
    await cleanup.run();
  }
  process.exit(cleanup.interrupted ? 130 : code);
}

void main();
