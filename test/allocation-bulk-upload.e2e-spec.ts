import { randomUUID } from 'node:crypto';
import { metricValue } from '../bench/heliox-client';
import { AllocationService, CELLS_PATH_INTERVALS } from '../src/allocation/allocation.service';
import { MARK_RUN_GAP_DAYS } from '../src/allocation/allocation.thresholds';
import { allocationState } from './support/allocation-state';
import { costPayload, jobPayload, postIngest, toNdjson } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

const DAYS = 20;
const JOBS = CELLS_PATH_INTERVALS + 10_000;
const day = (d: number) => new Date(Date.UTC(2026, 0, 1 + d)).toISOString().slice(0, 10);

/**
 * An upload larger than CELLS_PATH_INTERVALS marks its first jobs one by one and the rest by
 * cell; its refresh recomputes whole cells. Whatever mix of marks it made, the result must be
 * the rebuild's.
 */
describe('A bulk upload past the changed-jobs limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('marks the rest of its jobs by cell and ends with the allocation of a rebuild', async () => {
    const allocation = t.app.get(AllocationService);
    const marks = jest.spyOn(allocation, 'markJobsChanged');
    const snapshots = Array.from({ length: DAYS }, (_, d) => costPayload({ entry_date: day(d), cost_usd: 1000 + d }));
    expect((await postIngest(t, 'costs', 'application/x-ndjson', toNdjson(snapshots))).status).toBe(200);

    const jobs = Array.from({ length: JOBS }, (_, n) => {
      const start = Date.UTC(2026, 0, 1) + ((n * 617) % (DAYS * 86_400)) * 1000;
      return jobPayload({
        job_id: `bulk-${n}`,
        team_name: `team-${n % 5}`,
        model_name: `model-${n % 7}`,
        gpu_type: n % 3 ? 'a100' : 'h100',
        gpu_count: 1 + (n % 4),
        start_time: new Date(start).toISOString(),
        end_time: new Date(start + (30 + (n % 900)) * 60_000).toISOString(),
      });
    });
    const reply = await postIngest(t, 'jobs', 'application/x-ndjson', toNdjson(jobs));
    expect(reply.status).toBe(200);
    expect(reply.body.result.jobs).toMatchObject({ inserted: JOBS, failed: 0 });
    expect(marks.mock.calls.some(([, , options]) => options?.wholeCells)).toBe(true);
    expect(marks.mock.calls.some(([, , options]) => !options?.wholeCells)).toBe(true);

    await allocation.ensureFresh();
    const uploaded = await allocationState(t.db);
    await allocation.rebuild();
    expect(await allocationState(t.db)).toEqual(uploaded);
    expect(uploaded.rows).toBeGreaterThan(JOBS);
  }, 180_000);

  it(`marks a batch's cells as runs of days, joining intervals at most ${MARK_RUN_GAP_DAYS} days apart`, async () => {
    const allocation = t.app.get(AllocationService);
    const at = (d: number, hour: number) => new Date(Date.UTC(2026, 2, 1 + d, hour)).toISOString();
    const interval = (gpuType: string, from: number, to: number) => ({
      jobUuid: randomUUID(),
      provider: 'aws',
      gpuType,
      startTime: at(from, 10),
      endTime: at(to, 12),
    });
    // Marked in a transaction rolled back afterwards: the suite's allocation stays as it was.
    const runner = t.db.createQueryRunner();
    await runner.startTransaction();
    const m = runner.manager;
    let marks: { day: string; last_day: string | null; gpu_type: string }[];
    try {
      await m.query(`DELETE FROM allocation_dirty_cells`);
      await allocation.markJobsChanged(
        m,
        [
          interval('a100', 0, 0),
          interval('a100', 2, 2), // one day between: the same run
          interval('a100', 1 + 2 + MARK_RUN_GAP_DAYS, 12), // MARK_RUN_GAP_DAYS days between: still the same run
          interval('a100', 12 + 2 + MARK_RUN_GAP_DAYS, 30), // one more day between: a run of its own
          interval('h100', 5, 5),
        ],
        { wholeCells: true },
      );
      marks = await m.query(
        `SELECT to_char(day, 'MM-DD') AS day, to_char(last_day, 'MM-DD') AS last_day, gpu_type
         FROM allocation_dirty_cells ORDER BY gpu_type, day`,
      );
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    expect(marks).toEqual([
      { gpu_type: 'a100', day: '03-01', last_day: '03-13' },
      { gpu_type: 'a100', day: '03-22', last_day: '03-31' },
      { gpu_type: 'h100', day: '03-06', last_day: null },
    ]);
  });

  it('refreshes each cell of overlapping runs once, recomputing it when any of its marks asks', async () => {
    const allocation = t.app.get(AllocationService);
    await allocation.rebuild();
    const rebuilt = await allocationState(t.db);
    // A snapshot mark inside two overlapping runs of a GPU type, and a lone mark of another.
    await t.db.query(
      `INSERT INTO allocation_dirty_cells (day, last_day, provider, gpu_type, recompute) VALUES
         ($1, $2, 'aws', 'a100', true), ($3, $4, 'aws', 'a100', true), ($5, NULL, 'aws', 'a100', false),
         ($6, NULL, 'aws', 'h100', true)`,
      [day(0), day(9), day(5), day(DAYS - 1), day(7), day(3)],
    );
    const refreshedCells = async () =>
      metricValue((await t.http.get('/metrics').expect(200)).text, 'allocation_refreshed_cells_total');
    const before = await refreshedCells();
    await allocation.ensureFresh();
    // The a100 runs cover every day once (the snapshot mark's day among them); h100 has one day.
    expect((await refreshedCells()) - before).toBe(DAYS + 1);
    expect(await allocationState(t.db)).toEqual(rebuilt);
  }, 60_000);
});
