import { MARK_ALL_CELLS, MEASURE_SPAN_BOUND } from '../src/allocation/allocation-rebuild.sql';
import { AllocationService } from '../src/allocation/allocation.service';
import { RecomputeByCells } from '../src/allocation/recompute-by-cells';
import { buildJobsPageQuery, JobsPageRequest, TOTAL_COUNT_CAP } from '../src/jobs/jobs.query';
import { allocationState } from './support/allocation-state';
import { createTestApp, TestApp } from './support/test-app';

/** What one plan node did to the jobs table. */
interface ScanNode {
  type: string;
  index?: string;
  touched: number;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

function jobScans(node: PlanNode, found: ScanNode[] = []): ScanNode[] {
  if (node['Relation Name'] === 'jobs') {
    const rows = node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0);
    found.push({ type: node['Node Type'], index: node['Index Name'], touched: rows * node['Actual Loops'] });
  }
  for (const child of node.Plans ?? []) jobScans(child, found);
  return found;
}

const JOBS = 200_000;

describe('Over 200k jobs: indexed listing pages and allocation refreshes', () => {
  let t: TestApp;
  let teamId: string;
  beforeAll(async () => {
    t = await createTestApp();
    await t.db.query(`INSERT INTO teams (name) SELECT 'bulk-' || i FROM generate_series(1, 50) i`);
    // 50 teams, 40 models, 3 providers, 6 GPU types, 5 statuses, one job every 157 s over a year.
    await t.db.query(`
      WITH t AS (SELECT array_agg(id ORDER BY name) AS ids FROM teams WHERE name LIKE 'bulk-%')
      INSERT INTO jobs (job_id, team_id, model_name, provider, gpu_type, gpu_count, start_time, end_time, status)
      SELECT 'bulk-' || lpad(i::text, 7, '0'), t.ids[1 + i % 50], 'model-' || (i * 7 % 40),
             (ARRAY['aws','gcp','azure'])[1 + i % 3], (ARRAY['a100','h100','l4','t4','v100','a10g'])[1 + (i / 3) % 6],
             1 + i % 8, timestamptz '2025-01-01T00:00:00Z' + i * interval '157 seconds',
             timestamptz '2025-01-01T00:00:00Z' + i * interval '157 seconds' + (1 + i % 30) * interval '1 hour',
             (ARRAY['completed','completed','completed','completed','failed','cancelled','running','queued'])[1 + (i / 7) % 8]
        FROM generate_series(1, ${JOBS}) i, t`);
    await t.db.query(`VACUUM ANALYZE jobs`);
    // Inserted by SQL, not by the writer, which records the longest finished job as it writes.
    await t.db.query(MEASURE_SPAN_BOUND);
    [{ id: teamId }] = await t.db.query(`SELECT id FROM teams WHERE name = 'bulk-17'`);
  }, 300_000);
  afterAll(() => t.close());

  async function explain(request: Partial<JobsPageRequest>): Promise<ScanNode[]> {
    const { text, values } = buildJobsPageQuery({ order: 'desc', skip: 0, limit: 50, ...request });
    const [{ 'QUERY PLAN': plan }] = await t.db.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, values);
    return jobScans(plan[0].Plan);
  }

  // The page reads about a page of index entries, the capped count about TOTAL_COUNT_CAP more. A filter
  // without an index of its own (gpu_type alone: 1 row in 6) passes over the rows it filters out, never the
  // table; so may a filter with one when the planner prices the start-time index as cheaper (status = 'failed',
  // 1 row in 8, went either way between runs of ANALYZE), hence the rarest value's 8.
  const bound = (TOTAL_COUNT_CAP + 51) * 8 * 1.2;

  it.each<[string, Partial<JobsPageRequest>]>([
    ['no filter', {}],
    ['team_id', { teamId: 'TEAM' }],
    ['status', { status: 'failed' }],
    // Completed jobs are left out of the status index: the start-time index finds them (half the rows here).
    ['status completed', { status: 'completed' }],
    ['provider', { provider: 'gcp' }],
    ['provider + gpu_type', { provider: 'aws', gpuType: 'h100' }],
    ['gpu_type', { gpuType: 'l4' }],
    ['model_name', { modelName: 'model-13' }],
    ['start..end', { from: '2025-06-01T00:00:00Z', toExclusive: '2025-07-01T00:00:00Z' }],
    // Oldest first, the scan starts at the window less the longest job (30 h), not at the first job.
    ['start..end, ascending', { from: '2025-06-01T00:00:00Z', toExclusive: '2025-07-01T00:00:00Z', order: 'asc' }],
    ['start, ascending', { from: '2025-10-01T00:00:00Z', order: 'asc' }],
    [
      'start..end + provider, ascending',
      { from: '2025-10-01T00:00:00Z', toExclusive: '2025-10-02T00:00:00Z', provider: 'gcp', order: 'asc' },
    ],
    ['team_id + status, ascending', { teamId: 'TEAM', status: 'cancelled', order: 'asc' }],
  ])('serves a page filtered by %s without scanning the table', async (_, request) => {
    const scans = await explain({ ...request, teamId: request.teamId && teamId });
    expect(scans.filter((s) => s.type === 'Seq Scan')).toEqual([]);
    const touched = scans.reduce((sum, s) => sum + s.touched, 0);
    expect(touched).toBeLessThan(bound);
  });

  it('reads as few rows for a keyset page deep in the list as for the first page', async () => {
    const deep = await explain({
      after: { startTime: '2025-02-01T00:00:00.000000Z', jobId: 'bulk-0000000' },
      limit: 50,
    });
    const first = await explain({ limit: 50 });
    const pageReads = (scans: ScanNode[]) => Math.min(...scans.map((s) => s.touched));
    expect(deep.filter((s) => s.type === 'Seq Scan')).toEqual([]);
    const total = (scans: ScanNode[]) => scans.reduce((sum, s) => sum + s.touched, 0);
    expect(pageReads(deep)).toBeLessThanOrEqual(51);
    expect(pageReads(first)).toBeLessThanOrEqual(51);
    expect(total(deep)).toBeLessThanOrEqual(total(first) + 51);
  });

  it('refreshes the allocation of one day reading the jobs around that day, never the whole year', async () => {
    const allocation = t.app.get(AllocationService);
    const day = '2025-06-15';
    const cells = ['aws', 'gcp', 'azure'].flatMap((provider) =>
      ['a100', 'h100', 'l4', 't4', 'v100', 'a10g'].map((gpuType) => ({ day, provider, gpuType })),
    );
    const read = await t.db.transaction(async (m) => {
      // Counters of this backend not yet flushed to the cumulative statistics show here too: the delta counts.
      const counters = async () =>
        (
          await m.query(
            `SELECT seq_tup_read::int AS scanned, idx_tup_fetch::int AS fetched FROM pg_stat_xact_user_tables WHERE relname = 'jobs'`,
          )
        )[0];
      const before = await counters();
      // Marked for recomputing from the jobs, as a rebuild or a repair marks cells.
      await m.query(
        `INSERT INTO allocation_dirty_cells (day, provider, gpu_type) SELECT * FROM unnest($1::date[], $2::text[], $3::text[])`,
        [cells.map((c) => c.day), cells.map((c) => c.provider), cells.map((c) => c.gpuType)],
      );
      await allocation.refreshDirty(m);
      const after = await counters();
      return { scanned: after.scanned - before.scanned, fetched: after.fetched - before.fetched };
    });
    const [{ used }] = await t.db.query(
      `SELECT count(DISTINCT job_uuid)::int AS used FROM job_day_allocations WHERE day = $1`,
      [day],
    );
    expect(used).toBeGreaterThan(0);
    expect(read.scanned).toBe(0);
    // A job every 157 s lasting up to 30 h: the day and the 31 hours before it hold about 1,250 jobs.
    expect(read.fetched).toBeLessThan(JOBS / 50);
  });

  it('splits a refresh of thousands of cells between connections, with the result of a rebuild', async () => {
    const allocation = t.app.get(AllocationService);
    await t.db.query(`
      INSERT INTO cost_snapshots (entry_date, provider, gpu_type, cost_usd)
      SELECT d::date, p, g, 100 + (extract(doy FROM d) * 7 + length(p) * 3 + length(g)) % 50
      FROM generate_series(timestamp '2025-01-01', timestamp '2025-12-31', interval '1 day') d,
           unnest(ARRAY['aws','gcp','azure']) p, unnest(ARRAY['a100','h100','l4','t4','v100','a10g']) g
      ON CONFLICT DO NOTHING`);
    await allocation.rebuild();
    const rebuilt = await allocationState(t.db);
    expect(rebuilt.rows).toBeGreaterThan(JOBS);

    await t.db.query(MARK_ALL_CELLS, [new Date()]);
    // The split itself is private to the cells path; the spy only counts that it happened.
    const cellsPath = t.app.get<RecomputeByCells, { recomputeInParallel: () => Promise<void> }>(RecomputeByCells);
    const parallel = jest.spyOn(cellsPath, 'recomputeInParallel');
    const { cells } = await allocation.refreshDirty();
    expect(cells).toBeGreaterThan(6_000);
    expect(parallel).toHaveBeenCalledTimes(1);
    expect(await allocationState(t.db)).toEqual(rebuilt);
  }, 120_000);
});
