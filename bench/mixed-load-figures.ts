import autocannon from 'autocannon';
import { addDays } from '../src/common/calendar';
import { JOB_FIELDS } from '../src/ingestion/records/job-record';
import { lastDays, QUESTIONS } from './analytics-figures';
import { DatasetPlan, generateJobs, generateSnapshots } from './dataset';
import { SNAPSHOT_FIELDS, writeRecords } from './dataset-files';
import { HelioxClient, ingestCounts } from './heliox-client';
import { readStatusBytes } from './processes';
import { Check, Figure, formatMB, formatMs, Target, unmeasured } from './report';
import { median, percentile } from './stats';

/**
 * Dashboards while data arrives: 50 connections read what a cost dashboard shows (by-team,
 * cost per day, budgets, the newest jobs) while one client uploads a day of jobs and that day's
 * snapshots every few seconds. The figures are the reads' p99 against the p99 of the same reads
 * without uploads (measured in the same run, half before and half after the uploads), the
 * failed requests on both sides, and how much the API's resident set grew meanwhile.
 */

const CONNECTIONS = 50;
/** One upload starts every this many seconds (the next waits if one runs late: one client). */
const UPLOAD_INTERVAL_SECONDS = 5;
/** Uploads cycle through the dataset's last days, each time with new jobs and new prices. */
const CYCLE_DAYS = 7;
/** The dashboard's window: the last 30 days, which hold every uploaded day. */
const WINDOW_DAYS = 30;

const READ_P99_TARGET: Target = { op: '≤', value: 3 };
const ERRORS_TARGET: Target = { op: '≤', value: 0, unit: 'errors' };
const RSS_GROWTH_TARGET: Target = { op: '<', value: 10, unit: '%' };

/** Seconds of each phase, in the order they run. */
interface MixedLoadPhases {
  /** Reads alone, not measured: the routes' code and query plans are warm before the baseline. */
  warmUp: number;
  /** Each half of the baseline (the reads, no uploads): one before the uploads, one after. */
  baselineHalf: number;
  /** Reads and uploads, not measured: the first uploads' one-time allocations (both parsers) precede the first RSS reading. */
  uploadWarmUp: number;
  /** Reads and uploads, measured: the p99 and the RSS growth. */
  withUploads: number;
}

/**
 * Everything scales with --duration: a full run (10 s) reads for 120 s with uploads, against a
 * baseline of 2 × 30 s. The baseline is half as long because it only has to estimate a p99
 * (60 s at a few hundred reads/s leaves a couple of hundred samples above it), while the upload
 * phase needs its length to go through two dozen uploads; its halves sit on either side of the
 * uploads so that machine drift and the data the uploads add weigh on both sides alike.
 */
export function mixedLoadPhases(duration: number): MixedLoadPhases {
  return {
    warmUp: duration,
    baselineHalf: 3 * duration,
    uploadWarmUp: Math.max(duration, 2 * UPLOAD_INTERVAL_SECONDS),
    withUploads: 12 * duration,
  };
}

interface PlannedUpload {
  index: number;
  /** Seconds after the upload phase starts. */
  dueSeconds: number;
  day: string;
  /** Alternates, so both streaming parsers are exercised. */
  format: 'ndjson' | 'csv';
}

/** One upload every `intervalSeconds` from 0 until `seconds`, newest day first, cycling back over `cycleDays` days. */
export function planUploads(
  seconds: number,
  intervalSeconds: number,
  lastDay: string,
  cycleDays: number = CYCLE_DAYS,
): PlannedUpload[] {
  const uploads: PlannedUpload[] = [];
  for (let index = 0; index * intervalSeconds < seconds; index++) {
    uploads.push({
      index,
      dueSeconds: index * intervalSeconds,
      day: addDays(lastDay, -(index % cycleDays)),
      format: index % 2 ? 'csv' : 'ndjson',
    });
  }
  return uploads;
}

interface DashboardRead {
  name: string;
  path: string;
}

/** What a cost dashboard asks for, over the last 30 days up to `lastDay` and that day's month. */
export function dashboardReads(lastDay: string): DashboardRead[] {
  const { start, end } = lastDays(lastDay, WINDOW_DAYS);
  const question = (name: string) => {
    const found = QUESTIONS.find((q) => q.name === name);
    if (!found) throw new Error(`No analytics question ${name}`);
    return { name, path: found.path(start, end) };
  };
  return [
    question('by-team'),
    question('group_by=day'),
    { name: 'budgets', path: `/api/v1/analytics/budgets?month=${lastDay.slice(0, 7)}` },
    { name: 'GET /jobs', path: '/api/v1/jobs?limit=50' },
  ];
}

const readP99Label = (phases: MixedLoadPhases) =>
  `reads at ${CONNECTIONS} connections (by-team, group_by=day, budgets, GET /jobs): p99 while a day of jobs and ` +
  `snapshots is uploaded every ${UPLOAD_INTERVAL_SECONDS} s ÷ p99 without uploads ` +
  `(${phases.withUploads} s ÷ 2 × ${phases.baselineHalf} s)`;
const ERRORS_LABEL =
  `reads at ${CONNECTIONS} connections and uploads every ${UPLOAD_INTERVAL_SECONDS} s: ` +
  'failed requests (non-2xx, socket errors, timeouts)';
/** Seconds at each end of the upload phase whose RSS samples make its start and end readings. */
export const rssWindowSeconds = (phases: MixedLoadPhases) => Math.max(1, Math.round(phases.withUploads / 12));

const rssGrowthLabel = (phases: MixedLoadPhases) =>
  `API RSS growth over the ${phases.withUploads} s of reads with uploads ` +
  `(median VmRSS over its first and over its last ${rssWindowSeconds(phases)} s)`;

/** The rows of this section, for marking them unmeasured when it fails. */
export const mixedLoadTargets = (phases: MixedLoadPhases): [string, Target][] => [
  [readP99Label(phases), READ_P99_TARGET],
  [ERRORS_LABEL, ERRORS_TARGET],
  [rssGrowthLabel(phases), RSS_GROWTH_TARGET],
];

export interface MixedLoadMeasurement {
  phases: MixedLoadPhases;
  /** Read latencies (ms) by read name: both baseline halves, and the measured upload phase. */
  baseline: Record<string, number[]>;
  withUploads: Record<string, number[]>;
  /** Over every phase, warm-ups included. */
  reads: { answered: number; failed: number };
  uploads: { done: number; failed: number; ms: number[]; jobs: number; snapshots: number };
  rssBytes: RssReadings;
}

interface RssReadings {
  start: number;
  end: number;
  peak: number;
}

/**
 * The start and end readings are medians of the first and last `window` samples: a single
 * reading lands anywhere on the garbage collector's saw-tooth, which alone moves RSS by several
 * percent, while a leak moves the whole tooth. Zeros (the process was gone) make no reading.
 */
export function rssReadings(samples: number[], window: number): RssReadings {
  if (!samples.length || samples.some((s) => s <= 0)) return { start: 0, end: 0, peak: 0 };
  const take = Math.min(window, samples.length);
  return {
    start: median(samples.slice(0, take)),
    end: median(samples.slice(-take)),
    peak: Math.max(...samples),
  };
}

export const growthPercent = (start: number, end: number) => ((end - start) / start) * 100;

const allOf = (byRead: Record<string, number[]>) => Object.values(byRead).flat();

function describeLatencies(byRead: Record<string, number[]>): string {
  const all = allOf(byRead);
  const each = Object.entries(byRead)
    .filter(([, samples]) => samples.length)
    .map(([name, samples]) => `${name} ${formatMs(percentile(samples, 99))}`);
  return (
    `p99 ${formatMs(percentile(all, 99))}, median ${formatMs(median(all))} ` +
    `(n=${all.length.toLocaleString('en-US')}; p99 ${each.join(', ')})`
  );
}

export function mixedLoadFigures(m: MixedLoadMeasurement): Figure[] {
  const [p99Row, errorsRow, rssRow] = mixedLoadTargets(m.phases);
  const baseline = allOf(m.baseline);
  const loaded = allOf(m.withUploads);

  let p99: Figure;
  if (!baseline.length || !loaded.length) p99 = unmeasured(...p99Row, 'no read was answered');
  else if (!m.uploads.done) p99 = unmeasured(...p99Row, 'no upload completed while the reads ran');
  else {
    const ratio = percentile(loaded, 99) / percentile(baseline, 99);
    p99 = {
      label: p99Row[0],
      heliox: describeLatencies(m.withUploads),
      reference: describeLatencies(m.baseline),
      ratio,
      checked: ratio,
      target: p99Row[1],
    };
  }

  const attempts = m.uploads.done + m.uploads.failed;
  const uploadTime = m.uploads.ms.length ? `, median ${formatMs(median(m.uploads.ms))}` : '';
  const errors: Figure = {
    label: errorsRow[0],
    heliox:
      `${m.reads.failed.toLocaleString('en-US')} of ${m.reads.answered.toLocaleString('en-US')} reads, ` +
      `${m.uploads.failed} of ${attempts} uploads (${m.uploads.jobs.toLocaleString('en-US')} jobs + ` +
      `${m.uploads.snapshots} snapshots each${uploadTime})`,
    reference: '—',
    ratio: null,
    checked: m.reads.failed + m.uploads.failed,
    target: errorsRow[1],
  };

  const { start, end, peak } = m.rssBytes;
  const growth = growthPercent(start, end);
  const rss: Figure =
    start > 0 && end > 0
      ? {
          label: rssRow[0],
          heliox: `${formatMB(start)} → ${formatMB(end)} (${growth >= 0 ? '+' : ''}${growth.toFixed(1)} %; peak ${formatMB(peak)})`,
          reference: '—',
          ratio: null,
          checked: growth,
          target: rssRow[1],
        }
      : unmeasured(...rssRow, "the API's /proc/<pid>/status could not be read");

  return [p99, errors, rss];
}

/* ---------------------------------------------------------------- running it */

interface UploadFiles extends PlannedUpload {
  jobs: string;
  costs: string;
  contentType: string;
  jobCount: number;
  snapshotCount: number;
}

/** Written before the reads start, so generating them takes nothing from the load generator. */
async function writeUploads(planned: PlannedUpload[], plan: DatasetPlan, dir: string): Promise<UploadFiles[]> {
  const files: UploadFiles[] = [];
  for (const upload of planned) {
    const seed = plan.extra.seed + 1000 + upload.index;
    const jobs = await writeRecords(
      // A day's worth of new jobs (ids of their own, so each upload inserts them all) ...
      generateJobs({ ...plan.extra, firstDay: upload.day, seed, idPrefix: `bench-live-${upload.index}` }),
      dir,
      `live-${upload.index}-jobs`,
      JOB_FIELDS,
    );
    // ... and new prices for that day, so its cells are re-priced too.
    const costs = await writeRecords(
      generateSnapshots(upload.day, upload.day, seed),
      dir,
      `live-${upload.index}-costs`,
      SNAPSHOT_FIELDS,
    );
    files.push({
      ...upload,
      jobs: jobs[upload.format],
      costs: costs[upload.format],
      contentType: upload.format === 'csv' ? 'text/csv' : 'application/x-ndjson',
      jobCount: jobs.records,
      snapshotCount: costs.records,
    });
  }
  return files;
}

interface ReadRound {
  latencies: Record<string, number[]>;
  answered: number;
  failed: number;
}

/**
 * Each connection cycles through the reads. Latencies are recorded from `recordFrom` seconds on
 * (`onRecord` runs then); failures are counted over the whole round.
 */
function readLoad(
  client: HelioxClient,
  reads: DashboardRead[],
  seconds: number,
  recordFrom = 0,
  onRecord?: () => void,
): Promise<ReadRound> {
  const latencies = Object.fromEntries(reads.map((r) => [r.name, [] as number[]]));
  let recording = recordFrom === 0;
  // autocannon calls a request's onResponse just before it emits 'response' for that request.
  let answered = reads[0].name;
  return new Promise((resolve, reject) => {
    const timer = recording
      ? undefined
      : setTimeout(() => {
          recording = true;
          onRecord?.();
        }, recordFrom * 1000);
    const instance = autocannon(
      {
        url: client.baseUrl,
        connections: CONNECTIONS,
        duration: seconds,
        headers: client.authorization,
        requests: reads.map((read) => ({
          method: 'GET' as const,
          path: read.path,
          onResponse: () => {
            answered = read.name;
          },
        })),
      },
      (error: unknown, result: autocannon.Result) => {
        clearTimeout(timer);
        if (error) return reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
        resolve({
          latencies,
          answered: result.requests.total,
          failed: result.non2xx + result.errors + result.timeouts,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, ms) => {
      if (recording) latencies[answered].push(ms);
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface UploadOutcome {
  done: number;
  failed: number;
  ms: number[];
  /** Uploads whose counts show they did not change what they should have. */
  unchanged: string[];
}

/** One client: each upload (snapshots, then jobs) starts at its due time, or when the last one ends if that is later. */
async function uploadOnSchedule(
  client: HelioxClient,
  uploads: UploadFiles[],
  stopped: () => boolean,
  log: (message: string) => void,
): Promise<UploadOutcome> {
  const outcome: UploadOutcome = { done: 0, failed: 0, ms: [], unchanged: [] };
  const began = performance.now();
  for (const upload of uploads) {
    const wait = upload.dueSeconds * 1000 - (performance.now() - began);
    if (wait > 0) await sleep(wait);
    if (stopped()) break;
    const t0 = performance.now();
    try {
      const costs = ingestCounts(await client.ingestFile('costs', upload.costs, upload.contentType), 'cost_snapshots');
      const jobs = ingestCounts(await client.ingestFile('jobs', upload.jobs, upload.contentType), 'jobs');
      outcome.ms.push(performance.now() - t0);
      outcome.done++;
      if (jobs.inserted !== upload.jobCount || costs.inserted + costs.updated !== upload.snapshotCount)
        outcome.unchanged.push(`${upload.day}: jobs ${JSON.stringify(jobs)}, snapshots ${JSON.stringify(costs)}`);
    } catch (error) {
      outcome.failed++;
      log(
        `upload ${upload.index} (${upload.day}, ${upload.format}) failed: ${(error instanceof Error ? error.message : JSON.stringify(error)).slice(0, 300)}`,
      );
    }
  }
  return outcome;
}

interface MixedLoadInput {
  client: HelioxClient;
  /** The API process, whose VmRSS is read. */
  pid: number;
  plan: DatasetPlan;
  phases: MixedLoadPhases;
  /** Where the upload files are written. */
  workDir: string;
  log: (message: string) => void;
}

/** The dashboard's window, for checking the allocation after the uploads. */
export const dashboardWindow = (plan: DatasetPlan) => lastDays(plan.extraDay, WINDOW_DAYS);

export async function measureMixedLoad(
  input: MixedLoadInput,
): Promise<{ measurement: MixedLoadMeasurement; checks: Check[] }> {
  const { client, phases, log } = input;
  const reads = dashboardReads(input.plan.extraDay);
  const planned = planUploads(phases.uploadWarmUp + phases.withUploads, UPLOAD_INTERVAL_SECONDS, input.plan.extraDay);
  const uploads = await writeUploads(planned, input.plan, input.workDir);

  log(`reads, warm-up: ${phases.warmUp} s`);
  const rounds: ReadRound[] = [await readLoad(client, reads, phases.warmUp)];
  log(`reads without uploads (first half of the baseline): ${phases.baselineHalf} s`);
  const before = await readLoad(client, reads, phases.baselineHalf);
  log(
    `reads with a day uploaded every ${UPLOAD_INTERVAL_SECONDS} s: ${phases.uploadWarmUp} s warm-up + ` +
      `${phases.withUploads} s (${planned.length} uploads planned)`,
  );
  // VmRSS once a second over the measured part of the upload phase.
  const rss: number[] = [];
  const sampleRss = () => rss.push(readStatusBytes(input.pid, 'VmRSS'));
  let sampler: NodeJS.Timeout | undefined;
  let stopped = false;
  const uploading = uploadOnSchedule(client, uploads, () => stopped, log);
  let during: ReadRound;
  try {
    during = await readLoad(client, reads, phases.uploadWarmUp + phases.withUploads, phases.uploadWarmUp, () => {
      sampleRss();
      sampler = setInterval(sampleRss, 1000);
    });
    sampleRss();
  } finally {
    clearInterval(sampler);
    // An upload under way finishes before the second half of the baseline starts.
    stopped = true;
    await uploading;
  }
  const upload = await uploading;
  log(`reads without uploads (second half of the baseline): ${phases.baselineHalf} s`);
  const after = await readLoad(client, reads, phases.baselineHalf);
  rounds.push(before, during, after);

  const baseline = Object.fromEntries(
    reads.map((r) => [r.name, [...before.latencies[r.name], ...after.latencies[r.name]]]),
  );
  const [first] = uploads;
  return {
    measurement: {
      phases,
      baseline,
      withUploads: during.latencies,
      reads: {
        answered: rounds.reduce((sum, r) => sum + r.answered, 0),
        failed: rounds.reduce((sum, r) => sum + r.failed, 0),
      },
      uploads: {
        done: upload.done,
        failed: upload.failed,
        ms: upload.ms,
        jobs: first?.jobCount ?? 0,
        snapshots: first?.snapshotCount ?? 0,
      },
      rssBytes: rssReadings(rss, rssWindowSeconds(phases)),
    },
    checks: [
      {
        label: 'every upload during the reads inserted its jobs and re-priced its day',
        ok: upload.done > 0 && !upload.unchanged.length,
        detail: upload.unchanged.length
          ? upload.unchanged.slice(0, 3).join('; ')
          : `${upload.done} uploads over ${new Set(uploads.slice(0, upload.done + upload.failed).map((u) => u.day)).size} days`,
      },
    ],
  };
}
