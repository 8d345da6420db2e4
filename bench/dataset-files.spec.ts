import { parse } from 'csv-parse/sync';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BenchJob, generateJobs } from './dataset';
import { JOB_FIELDS } from '../src/ingestion/records/job-record';
import { writeCopyFile, writeNdjsonParts, writeRecords } from './dataset-files';

const spec = { jobs: 12_345, firstDay: '2026-01-01', days: 10, horizon: '2026-01-12', seed: 3, idPrefix: 'bench' };

describe('dataset files', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'bench-files-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the same records as NDJSON and as CSV with a header of field names, across chunk boundaries', async () => {
    const written = await writeRecords(generateJobs(spec), dir, 'jobs', JOB_FIELDS);
    const expected = [...generateJobs(spec)];
    expect(written.records).toBe(12_345);
    const ndjson = readFileSync(written.ndjson, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as BenchJob);
    expect(ndjson).toEqual(expected);
    const csv = parse<Record<string, string>>(readFileSync(written.csv, 'utf8'), { columns: true });
    expect(Object.keys(csv[0])).toEqual([...JOB_FIELDS]);
    expect(csv).toHaveLength(12_345);
    expect(csv.map((r) => r.job_id)).toEqual(expected.map((j) => j.job_id));
    const running = csv.find((r) => r.status === 'running');
    expect(running?.end_time).toBe('');
    // Labels as key=value pairs separated by ;, utilization empty when the job reports none.
    expect(csv[0].labels).toBe(
      Object.entries(expected[0].labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(';'),
    );
    expect(csv.some((r) => r.gpu_utilization === '')).toBe(true);
  });

  it('writes the COPY file with team ids and no header, NULL as an empty field', async () => {
    const ids = new Map(
      generateTeamNames().map((name, i) => [name, `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`]),
    );
    const file = path.join(dir, 'jobs.copy.csv');
    expect(await writeCopyFile(generateJobs(spec), file, ids)).toBe(12_345);
    const rows = parse(readFileSync(file, 'utf8'));
    const first = [...generateJobs(spec)][0];
    expect(rows[0]).toEqual([
      first.job_id,
      ids.get(first.team_name),
      first.model_name,
      first.provider,
      first.gpu_type,
      String(first.gpu_count),
      first.start_time,
      first.end_time ?? '',
      first.status,
      JSON.stringify(first.labels),
      first.gpu_utilization === null ? '' : String(first.gpu_utilization),
    ]);
  });

  it('writes NDJSON parts, each with its records in order, across chunk boundaries', async () => {
    const expected = [...generateJobs(spec)];
    // Two halves of about 6,000 records: each crosses a 5,000-record chunk.
    const half = (job: BenchJob) => (job.start_time < '2026-01-06' ? 'early' : 'late');
    const parts = await writeNdjsonParts(generateJobs(spec), dir, 'parts', half);
    expect(parts.map((p) => p.part)).toEqual(['early', 'late']);
    expect(Math.min(...parts.map((p) => p.records))).toBeGreaterThan(5_000);
    const read = parts.map((p) =>
      readFileSync(p.file, 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as BenchJob),
    );
    read.forEach((records, i) => expect(records).toHaveLength(parts[i].records));
    expect(read.flat().sort((a, b) => a.job_id.localeCompare(b.job_id))).toEqual(expected);
    for (const [i, records] of read.entries()) {
      expect(records).toEqual(expected.filter((j) => half(j) === parts[i].part));
    }
  });
});

function generateTeamNames(): string[] {
  return [...new Set([...generateJobs(spec)].map((j) => j.team_name))];
}
