import { AllocationService, CELLS_PATH_INTERVALS } from '../src/analytics/allocation.service';
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

  const state = async () =>
    t.db.query(`SELECT
      (SELECT md5(string_agg(a::text, '|' ORDER BY a.day, a.provider, a.gpu_type, a.job_id)) FROM job_day_allocations a) AS job_days,
      (SELECT md5(string_agg((c.day, c.provider, c.gpu_type, c.snapshot_cost_usd, c.gpu_hours, c.allocated_usd, c.unallocated_usd, c.job_count, c.rate)::text, '|'
                  ORDER BY c.day, c.provider, c.gpu_type)) FROM allocation_cells c) AS cells,
      (SELECT md5(string_agg(d::text, '|' ORDER BY d.day, d.team_id, d.model_name)) FROM allocation_team_model_days d) AS team_model_days,
      (SELECT count(*)::int FROM job_day_allocations) AS rows`);

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
    const uploaded = await state();
    await allocation.rebuild();
    expect(await state()).toEqual(uploaded);
    expect(uploaded[0].rows).toBeGreaterThan(JOBS);
  }, 180_000);
});
