import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { BenchJob, BenchTeam } from './dataset';
import { COPY_FIELDS, writeCopyFile } from './dataset-files';
import { HelioxClient, ingestCounts } from './heliox-client';
import { RssSampler } from './processes';
import { Check, Figure, formatMB, formatRate, Target } from './report';
import { timed } from './stats';

/**
 * Ingestion against its physical limit: one COPY stream of the same rows into a table built
 * LIKE `jobs` (same columns, defaults, checks, indexes) with the same foreign key to a team table.
 */

export interface CopyLimit {
  rowsPerSecond: number;
  rows: number;
}

export async function measureCopyLimit(
  databaseUrl: string,
  teams: BenchTeam[],
  jobs: () => Iterable<BenchJob>,
  copyFile: string,
): Promise<CopyLimit> {
  const client = new Client({ connectionString: databaseUrl });
  // A dropped connection fails the pending query; without a listener it would also crash the run.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS bench_copy_jobs, bench_copy_teams`);
    await client.query(`CREATE TABLE bench_copy_teams (LIKE teams INCLUDING ALL)`);
    const { rows } = await client.query<{ id: string; name: string }>(
      `INSERT INTO bench_copy_teams (name, description, budget_usd)
       SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[]) RETURNING id, name`,
      [teams.map((t) => t.name), teams.map((t) => t.description), teams.map((t) => t.budget_usd)],
    );
    // Written before the clock starts: the COPY reads a finished file, as the API reads one.
    const written = await writeCopyFile(jobs(), copyFile, new Map(rows.map((r) => [r.name, r.id])));
    await client.query(
      `CREATE TABLE bench_copy_jobs (LIKE jobs INCLUDING ALL,
         CONSTRAINT fk_bench_copy_jobs_team FOREIGN KEY (team_id) REFERENCES bench_copy_teams (id))`,
    );
    await checkpoint(client);
    const { ms } = await timed(() =>
      pipeline(
        createReadStream(copyFile, { highWaterMark: 256 * 1024 }),
        client.query(copyFrom(`COPY bench_copy_jobs (${COPY_FIELDS.join(', ')}) FROM STDIN WITH (FORMAT csv)`)),
      ),
    );
    const { rows: counted } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM bench_copy_jobs`);
    if (Number(counted[0].n) !== written) throw new Error(`COPY loaded ${counted[0].n} of ${written} rows`);
    return { rowsPerSecond: written / (ms / 1000), rows: written };
  } finally {
    await client.query(`DROP TABLE IF EXISTS bench_copy_jobs, bench_copy_teams`).catch(() => undefined);
    await checkpoint(client).catch(() => undefined);
    await client.end();
  }
}

/** Starts the next timed load from a clean slate; needs superuser or pg_checkpoint, skipped without. */
async function checkpoint(client: Client): Promise<void> {
  await client.query('CHECKPOINT').catch(() => undefined);
}

export const INGESTION_FIGURES: [string, Target][] = [
  ['ingestion rows/s (NDJSON over HTTP, allocation included) ÷ one COPY stream rows/s', { op: '≥', value: 0.7 }],
  ['re-ingestion (all unchanged) rows/s ÷ one COPY stream rows/s', { op: '≥', value: 1.0 }],
  ['peak API RSS during the ingestion', { op: '≤', value: 300, unit: 'MB' }],
];

export interface IngestionResult {
  figures: Figure[];
  checks: Check[];
}

/** First ingestion (everything new) with the API's peak RSS, then the same file again (nothing changed). */
export async function measureIngestion(
  api: HelioxClient,
  apiPid: number,
  ndjson: string,
  rows: number,
  copy: CopyLimit,
): Promise<IngestionResult> {
  const sampler = new RssSampler(apiPid);
  sampler.start();
  let peakRss = 0;
  const first = await timed(() => api.ingestFile('jobs', ndjson, 'application/x-ndjson')).finally(() => {
    peakRss = sampler.stop();
  });
  const again = await timed(() => api.ingestFile('jobs', ndjson, 'application/x-ndjson'));
  const firstCounts = ingestCounts(first.result, 'jobs');
  const againCounts = ingestCounts(again.result, 'jobs');
  const copyRate = `${formatRate(copy.rowsPerSecond, 'rows/s')} (${(copy.rows / copy.rowsPerSecond).toFixed(1)} s)`;
  const rate = (ms: number) => rows / (ms / 1000);
  const firstRate = rate(first.ms);
  const againRate = rate(again.ms);
  const mb = 1024 * 1024;
  return {
    figures: [
      {
        label: INGESTION_FIGURES[0][0],
        heliox: `${formatRate(firstRate, 'rows/s')} (${(first.ms / 1000).toFixed(1)} s)`,
        reference: copyRate,
        ratio: firstRate / copy.rowsPerSecond,
        checked: firstRate / copy.rowsPerSecond,
        target: INGESTION_FIGURES[0][1],
      },
      {
        label: INGESTION_FIGURES[1][0],
        heliox: `${formatRate(againRate, 'rows/s')} (${(again.ms / 1000).toFixed(1)} s)`,
        reference: copyRate,
        ratio: againRate / copy.rowsPerSecond,
        checked: againRate / copy.rowsPerSecond,
        target: INGESTION_FIGURES[1][1],
      },
      {
        label: INGESTION_FIGURES[2][0],
        heliox: formatMB(peakRss),
        reference: '—',
        ratio: null,
        checked: peakRss / mb,
        target: INGESTION_FIGURES[2][1],
      },
    ],
    checks: [
      {
        label: 'first ingestion inserts every job',
        ok: firstCounts.inserted === rows && firstCounts.failed === 0,
        detail: JSON.stringify(firstCounts),
      },
      {
        label: 're-ingestion of the same file changes nothing',
        ok: againCounts.unchanged === rows && againCounts.inserted === 0 && againCounts.updated === 0,
        detail: JSON.stringify(againCounts),
      },
    ],
  };
}
