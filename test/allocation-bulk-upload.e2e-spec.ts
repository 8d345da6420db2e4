import { AllocationService, CELLS_PATH_INTERVALS } from '../src/allocation/allocation.service';
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
});
