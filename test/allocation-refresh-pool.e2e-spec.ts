import { MARK_ALL_CELLS, MEASURE_SPAN_BOUND } from '../src/allocation/allocation-rebuild.sql';
import { AllocationService } from '../src/allocation/allocation.service';
import { createTeam } from './support/factories';
import { within } from './support/deadline';
import { createTestApp, TestApp } from './support/test-app';

const PROVIDERS = ['aws', 'gcp', 'azure'];
const GPU_TYPES = ['a100', 'h100', 'l4', 't4', 'v100', 'a10g'];

/**
 * A large refresh takes two more connections for its workers. With a pool of three, readers that
 * arrive during it must neither starve it of those connections nor fail: they wait for it.
 */
describe('A large refresh with readers arriving on a small pool', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ DB_POOL_SIZE: '3' });
  });
  afterAll(() => t.close());

  it('finishes, and every reader waits for it and then sees its result', async () => {
    const team = await createTeam(t.db);
    // One 60-day job per provider and GPU type: 18 × 61 = 1,098 cells, enough for the workers.
    await t.db.query(
      `INSERT INTO jobs (job_id, team_id, model_name, provider, gpu_type, gpu_count, start_time, end_time, status)
       SELECT 'long-' || p || '-' || g, $1, 'llama', p, g, 1, '2026-01-01T00:00:00Z', '2026-03-02T00:00:00Z', 'completed'
       FROM unnest($2::text[]) p, unnest($3::text[]) g`,
      [team.id, PROVIDERS, GPU_TYPES],
    );
    await t.db.query(MEASURE_SPAN_BOUND);
    await t.db.query(MARK_ALL_CELLS, [new Date()]);

    const allocation = t.app.get(AllocationService);
    const refresh = allocation.refreshDirty();
    const readers = Array.from({ length: 4 }, () => allocation.ensureFresh());
    const [{ cells }] = await within(30_000, Promise.all([refresh, ...readers]), 'refresh and readers still waiting');

    expect(cells).toBe(PROVIDERS.length * GPU_TYPES.length * 61);
    const [{ hours, dirty }] = await t.db.query(
      `SELECT (SELECT sum(gpu_hours) FROM job_day_allocations)::float8 AS hours, (SELECT count(*) FROM allocation_dirty_cells)::int AS dirty`,
    );
    expect(hours).toBe(PROVIDERS.length * GPU_TYPES.length * 60 * 24);
    expect(dirty).toBe(0);
  }, 60_000);
});
