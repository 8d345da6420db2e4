import { stringify } from 'csv-stringify/sync';
import { createWriteStream, WriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { BenchJob } from './dataset';

/**
 * Writes generated records to disk as they are produced, a chunk at a time, so that a
 * million-job dataset never sits in memory.
 */

export const SNAPSHOT_FIELDS = ['entry_date', 'provider', 'gpu_type', 'cost_usd'] as const;
/** Columns of the COPY reference file, in the order of its COPY column list. */
export const COPY_FIELDS = [
  'job_id',
  'team_id',
  'model_name',
  'provider',
  'gpu_type',
  'gpu_count',
  'start_time',
  'end_time',
  'status',
  'labels',
  'gpu_utilization',
] as const;

const CHUNK_RECORDS = 5_000;

class ChunkedWriter {
  private readonly stream: WriteStream;

  constructor(file: string) {
    this.stream = createWriteStream(file);
  }

  async write(text: string): Promise<void> {
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

export interface WrittenFiles {
  ndjson: string;
  csv: string;
  records: number;
}

/** Writes the same records as NDJSON (one object a line) and CSV (header row of field names). */
export async function writeRecords<T extends object>(
  records: Iterable<T>,
  dir: string,
  baseName: string,
  fields: readonly (keyof T & string)[],
): Promise<WrittenFiles> {
  const files = { ndjson: path.join(dir, `${baseName}.ndjson`), csv: path.join(dir, `${baseName}.csv`) };
  const ndjson = new ChunkedWriter(files.ndjson);
  const csv = new ChunkedWriter(files.csv);
  let count = 0;
  let chunk: T[] = [];
  const flush = async (header: boolean) => {
    await ndjson.write(chunk.map((r) => JSON.stringify(r)).join('\n') + (chunk.length ? '\n' : ''));
    await csv.write(
      stringify(
        chunk.map((r) => fields.map((f) => (f === 'labels' ? labelPairs(r[f]) : csvValue(r[f])))),
        { header, columns: header ? [...fields] : undefined },
      ),
    );
    chunk = [];
  };
  let headerWritten = false;
  for (const record of records) {
    chunk.push(record);
    count++;
    if (chunk.length === CHUNK_RECORDS) {
      await flush(!headerWritten);
      headerWritten = true;
    }
  }
  if (chunk.length || !headerWritten) await flush(!headerWritten);
  await Promise.all([ndjson.close(), csv.close()]);
  return { ...files, records: count };
}

export interface NdjsonPart {
  /** What `partOf` named it (a month, in a growth run). */
  part: string;
  file: string;
  records: number;
}

/**
 * Writes records as NDJSON files, one per part (`<baseName>-<part>.ndjson`), in a stream: each
 * part's file gets its records in their order, and the parts come back sorted by name.
 */
export async function writeNdjsonParts<T extends object>(
  records: Iterable<T>,
  dir: string,
  baseName: string,
  partOf: (record: T) => string,
): Promise<NdjsonPart[]> {
  const parts = new Map<string, { writer: ChunkedWriter; lines: string[]; part: NdjsonPart }>();
  const flush = async (open: { writer: ChunkedWriter; lines: string[] }) => {
    await open.writer.write(open.lines.join('\n') + '\n');
    open.lines = [];
  };
  for (const record of records) {
    const name = partOf(record);
    let open = parts.get(name);
    if (!open) {
      const file = path.join(dir, `${baseName}-${name}.ndjson`);
      open = { writer: new ChunkedWriter(file), lines: [], part: { part: name, file, records: 0 } };
      parts.set(name, open);
    }
    open.lines.push(JSON.stringify(record));
    open.part.records++;
    if (open.lines.length === CHUNK_RECORDS) await flush(open);
  }
  for (const open of parts.values()) {
    if (open.lines.length) await flush(open);
    await open.writer.close();
  }
  return [...parts.values()].map((p) => p.part).sort((a, b) => a.part.localeCompare(b.part));
}

/**
 * The COPY reference input: the same jobs with the team resolved to its id, as PostgreSQL's CSV
 * COPY format reads it (no header; an empty unquoted field is NULL).
 */
export async function writeCopyFile(
  jobs: Iterable<BenchJob>,
  file: string,
  teamIds: Map<string, string>,
): Promise<number> {
  const out = new ChunkedWriter(file);
  let count = 0;
  let chunk: unknown[][] = [];
  for (const job of jobs) {
    const teamId = teamIds.get(job.team_name);
    if (!teamId) throw new Error(`No id for team ${job.team_name}`);
    chunk.push(COPY_FIELDS.map((f) => (f === 'team_id' ? teamId : csvValue(job[f]))));
    count++;
    if (chunk.length === CHUNK_RECORDS) {
      await out.write(stringify(chunk));
      chunk = [];
    }
  }
  if (chunk.length) await out.write(stringify(chunk));
  await out.close();
  return count;
}

/** A job's labels as its CSV column carries them: `key=value` pairs separated by `;`. */
function labelPairs(labels: unknown): string {
  return Object.entries((labels ?? {}) as Record<string, string>)
    .map(([key, value]) => `${key}=${value}`)
    .join(';');
}

function csvValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // Anything but a scalar (labels, in the COPY file) is written as JSON rather than "[object Object]".
  return value === null || value === undefined ? '' : JSON.stringify(value);
}
