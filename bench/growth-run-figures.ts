import { ExtraDay } from './refresh-figures';
import { Figure, formatMB, formatMs, formatRate, Target } from './report';
import { median } from './stats';

/**
 * The figures of a growth run: everything measured at the stage (M jobs) is measured again once
 * the other N − M jobs are loaded onto it, and each row is the ratio of the two.
 */

export interface StorageRow {
  table: string;
  bytes: number;
}

export interface StageMeasurement {
  /** Jobs in the database when the stage was measured. */
  jobs: number;
  /** Jobs this stage loaded, how long it took and in how many uploads. */
  loaded: number;
  ingestMs: number;
  /** What the API spent on the allocation during the load (marks and refreshes, its metrics). */
  ingestUpkeepMs: number;
  uploads: number;
  /** The API's peak resident set during the stage's uploads. */
  peakRssBytes: number;
  /** VACUUM ANALYZE and CHECKPOINT after the load (what autovacuum and the checkpointer would owe). */
  settleMs: number;
  storage: StorageRow[];
  /** Latency samples per read (its name), one call at a time. */
  reads: Map<string, number[]>;
  day: ExtraDay;
  /** The rebuild itself, as the command reports it. */
  rebuildMs: number;
}

const GROWTH_TARGETS = {
  ingestion: { op: '≥', value: 0.8 } as Target,
  rebuild: { op: '≤', value: 1.2 } as Target,
  latency: { op: '≤', value: 2 } as Target,
  day: { op: '≤', value: 2 } as Target,
  rss: { op: '≤', value: 300, unit: 'MB' } as Target,
};

const count = (n: number) => n.toLocaleString('en-US');

const stagedLabels = (stageJobs: number, jobs: number, reads: string[]) => {
  const n = count(jobs);
  const m = count(stageJobs);
  return {
    ingestion: `first-ingestion rows/s loading the other ${count(jobs - stageJobs)} jobs onto ${m} ÷ loading the first ${m} (NDJSON over HTTP, one upload per start month, allocation included)`,
    rebuild: `allocation rebuild time at ${n} jobs ÷ (its time at ${m} jobs × the growth in jobs)`,
    reads: reads.map((r) => `${r} latency at ${n} jobs ÷ at ${m} jobs (medians)`),
    day: `one-day upload (the same number of jobs and snapshots) at ${n} jobs ÷ at ${m} jobs`,
    rss: `peak API RSS while loading the other ${count(jobs - stageJobs)} jobs`,
  };
};

/** Every target of a growth run, in the order of its rows, for rows that could not be measured. */
export function stagedTargets(stageJobs: number, jobs: number, reads: string[]): [string, Target][] {
  const labels = stagedLabels(stageJobs, jobs, reads);
  return [
    [labels.ingestion, GROWTH_TARGETS.ingestion],
    [labels.rebuild, GROWTH_TARGETS.rebuild],
    ...labels.reads.map((label): [string, Target] => [label, GROWTH_TARGETS.latency]),
    [labels.day, GROWTH_TARGETS.day],
    [labels.rss, GROWTH_TARGETS.rss],
  ];
}

const totalBytes = (storage: StorageRow[]) => storage.reduce((sum, row) => sum + row.bytes, 0);

/** `planned`: the jobs of the stage and of the whole dataset, as the labels name them. */
export function stagedFigures(
  planned: { stageJobs: number; jobs: number },
  stage: StageMeasurement,
  full: StageMeasurement,
  reads: string[],
): Figure[] {
  const labels = stagedLabels(planned.stageJobs, planned.jobs, reads);
  const ratioFigure = (label: string, heliox: string, reference: string, ratio: number, target: Target): Figure => ({
    label,
    heliox,
    reference,
    ratio,
    checked: ratio,
    target,
  });
  const rate = (m: StageMeasurement) => m.loaded / (m.ingestMs / 1000);
  const loading = (m: StageMeasurement) =>
    `${formatRate(rate(m), 'rows/s')} (${count(m.loaded)} jobs in ${(m.ingestMs / 1000).toFixed(1)} s, ${m.uploads} uploads; ` +
    `allocation upkeep ${(m.ingestUpkeepMs / 1000).toFixed(1)} s of it)`;
  // The rebuild's linear expectation scales with the jobs it found (the upload days included).
  const scale = full.jobs / stage.jobs;
  const mb = 1024 * 1024;
  return [
    ratioFigure(labels.ingestion, loading(full), loading(stage), rate(full) / rate(stage), GROWTH_TARGETS.ingestion),
    ratioFigure(
      labels.rebuild,
      `${formatMs(full.rebuildMs)} at ${count(full.jobs)} jobs`,
      `${formatMs(stage.rebuildMs)} at ${count(stage.jobs)} jobs (× ${Number(scale.toFixed(2))} = ${formatMs(stage.rebuildMs * scale)})`,
      full.rebuildMs / (stage.rebuildMs * scale),
      GROWTH_TARGETS.rebuild,
    ),
    ...reads.map((read, i) => {
      const [atFull, atStage] = [full, stage].map((m) => m.reads.get(read) ?? []);
      if (!atFull.length || !atStage.length) throw new Error(`${read} has no samples`);
      return ratioFigure(
        labels.reads[i],
        `${formatMs(median(atFull))} (n=${atFull.length})`,
        `${formatMs(median(atStage))} (n=${atStage.length})`,
        median(atFull) / median(atStage),
        GROWTH_TARGETS.latency,
      );
    }),
    ratioFigure(
      labels.day,
      `${formatMs(full.day.ms)} (allocation upkeep ${formatMs(full.day.upkeepMs)})`,
      `${formatMs(stage.day.ms)} (allocation upkeep ${formatMs(stage.day.upkeepMs)})`,
      full.day.ms / stage.day.ms,
      GROWTH_TARGETS.day,
    ),
    {
      label: labels.rss,
      heliox: formatMB(full.peakRssBytes),
      reference: `${formatMB(stage.peakRssBytes)} while loading the first ${count(stage.loaded)}`,
      ratio: null,
      checked: full.peakRssBytes / mb,
      target: GROWTH_TARGETS.rss,
    },
  ];
}

/** Bytes on disk per job, table by table (tables, their indexes and TOAST), at both stages. */
export function storageSection(stage: StageMeasurement, full: StageMeasurement): string {
  const bytesOf = (m: StageMeasurement, table: string) => m.storage.find((r) => r.table === table)?.bytes ?? 0;
  // Tables in the order of their size at N; those under 1 MB at both stages are summed as "other".
  const big = full.storage.filter((r) => r.bytes >= 1024 * 1024 || bytesOf(stage, r.table) >= 1024 * 1024);
  const row = (name: string, atStage: number, atFull: number) =>
    `| ${name} | ${formatMB(atStage)} | ${(atStage / stage.jobs).toFixed(0)} | ${formatMB(atFull)} | ${(atFull / full.jobs).toFixed(0)} |`;
  const other = (m: StageMeasurement) => totalBytes(m.storage) - big.reduce((sum, r) => sum + bytesOf(m, r.table), 0);
  return [
    '## Bytes on disk per job',
    '',
    `Tables with their indexes and TOAST (\`pg_total_relation_size\`), after VACUUM ANALYZE, at ${count(stage.jobs)} and at ${count(full.jobs)} jobs.`,
    `VACUUM ANALYZE and CHECKPOINT after each load took ${formatMs(stage.settleMs)} and ${formatMs(full.settleMs)}.`,
    '',
    `| table | at ${count(stage.jobs)} | bytes/job | at ${count(full.jobs)} | bytes/job |`,
    '| --- | --- | --- | --- | --- |',
    ...big.map((r) => row(r.table, bytesOf(stage, r.table), r.bytes)),
    row('other tables', other(stage), other(full)),
    row('**all tables**', totalBytes(stage.storage), totalBytes(full.storage)),
    '',
  ].join('\n');
}
