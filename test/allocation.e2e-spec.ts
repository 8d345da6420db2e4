import { DERIVED_TABLES } from '../src/allocation/allocation-rebuild.sql';
import fc from 'fast-check';
import type { EntityManager } from 'typeorm';
import { allocate } from '../src/allocation/allocation-math';
import { AllocationService } from '../src/allocation/allocation.service';
import {
  createJob,
  createSnapshot,
  createTeam,
  JobInput,
  jobIntervals,
  TeamRow,
  updateJobRow,
} from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

describe('Cost allocation maintained in the database', () => {
  let t: TestApp;
  let allocation: AllocationService;
  let team: TeamRow;

  beforeAll(async () => {
    t = await createTestApp();
    allocation = t.app.get(AllocationService);
    team = await createTeam(t.db);
  });
  afterAll(() => t.close());

  beforeEach(async () => {
    await t.db.query(`TRUNCATE jobs, cost_snapshots, ${DERIVED_TABLES.join(', ')}`);
  });

  /** Marks the given jobs' intervals as changed (or new) and refreshes, in one transaction. */
  async function markAndRefresh(
    jobs: Parameters<typeof jobIntervals>[0],
    snapshots: { day: string; provider: string; gpuType: string }[] = [],
    { newJobs = false } = {},
  ) {
    return t.db.transaction(async (m) => {
      await allocation.markJobsChanged(m, jobIntervals(jobs, { newJob: newJobs }));
      await allocation.markSnapshotsChanged(m, snapshots);
      return allocation.refreshDirty(m);
    });
  }

  /** Job-day rows with the cost their cell's rate gives them. */
  const JOB_DAY_COSTS = `(SELECT a.*, round(a.gpu_hours * c.rate, 12) AS cost_usd FROM job_day_allocations a
    JOIN allocation_cells c ON c.day = a.day AND c.provider = a.provider AND c.gpu_type = a.gpu_type) a`;

  const jobCosts = async () =>
    Object.fromEntries(
      (
        await t.db.query(
          `SELECT j.job_id, sum(a.cost_usd)::float8 AS cost FROM ${JOB_DAY_COSTS} JOIN jobs j ON j.id = a.job_uuid GROUP BY j.job_id`,
        )
      ).map((r: { job_id: string; cost: number }) => [r.job_id, r.cost]),
    );

  it("allocates DESIGN's worked example: $720 and $180 on h100, $300 unallocated on a100", async () => {
    const a = await createJob(t.db, team.id, {
      job_id: 'A',
      gpu_type: 'h100',
      gpu_count: 8,
      start_time: '2026-01-03T00:00:00Z',
      end_time: '2026-01-03T10:00:00Z',
    });
    const b = await createJob(t.db, team.id, {
      job_id: 'B',
      gpu_type: 'h100',
      gpu_count: 4,
      start_time: '2026-01-03T10:00:00Z',
      end_time: '2026-01-03T15:00:00Z',
    });
    await createSnapshot(t.db, { entry_date: '2026-01-03', gpu_type: 'h100', cost_usd: 900 });
    await createSnapshot(t.db, { entry_date: '2026-01-03', gpu_type: 'a100', cost_usd: 300 });
    await markAndRefresh([a, b], [{ day: '2026-01-03', provider: 'aws', gpuType: 'a100' }]);

    expect(await jobCosts()).toEqual({ A: 720, B: 180 });
    const cells = await t.db.query(
      `SELECT gpu_type, allocated_usd::float8 AS allocated, unallocated_usd::float8 AS unallocated FROM allocation_cells ORDER BY gpu_type`,
    );
    expect(cells).toEqual([
      { gpu_type: 'a100', allocated: 0, unallocated: 300 },
      { gpu_type: 'h100', allocated: 900, unallocated: 0 },
    ]);
  });

  it('splits $100 between three equal jobs into parts that add up to $100.00', async () => {
    const jobs = [];
    for (let i = 0; i < 3; i++) jobs.push(await createJob(t.db, team.id));
    await createSnapshot(t.db, { cost_usd: 100 });
    await markAndRefresh(jobs);
    const [{ total, min }] = await t.db.query(
      `SELECT round(sum(cost_usd), 2)::text AS total, min(cost_usd)::float8 AS min FROM ${JOB_DAY_COSTS}`,
    );
    expect(total).toBe('100.00');
    expect(min).toBeCloseTo(33.3333, 4);
  });

  it('moves the money when a job moves to another day', async () => {
    const moved = await createJob(t.db, team.id, {
      job_id: 'moved',
      start_time: '2026-01-03T00:00:00Z',
      end_time: '2026-01-03T05:00:00Z',
    });
    const stays = await createJob(t.db, team.id, {
      job_id: 'stays',
      start_time: '2026-01-03T00:00:00Z',
      end_time: '2026-01-03T05:00:00Z',
    });
    await createSnapshot(t.db, { entry_date: '2026-01-03', cost_usd: 100 });
    await createSnapshot(t.db, { entry_date: '2026-01-04', cost_usd: 40 });
    await markAndRefresh([moved, stays], [{ day: '2026-01-04', provider: 'aws', gpuType: 'a100' }]);
    expect(await jobCosts()).toEqual({ moved: 50, stays: 50 });

    const newVersion = { ...moved, start_time: '2026-01-04T00:00:00Z', end_time: '2026-01-04T02:00:00Z' };
    await t.db.query(`UPDATE jobs SET start_time = $2, end_time = $3 WHERE id = $1`, [
      moved.id,
      newVersion.start_time,
      newVersion.end_time,
    ]);
    await markAndRefresh([moved, newVersion]);
    expect(await jobCosts()).toEqual({ moved: 40, stays: 100 });
  });

  it('keeps only the latest version of a job that changed again before its first refresh', async () => {
    const job = await createJob(t.db, team.id, {
      job_id: 'twice',
      start_time: '2026-01-03T00:00:00Z',
      end_time: '2026-01-03T05:00:00Z',
    });
    await createSnapshot(t.db, { entry_date: '2026-01-03', cost_usd: 100 });
    await createSnapshot(t.db, { entry_date: '2026-01-04', cost_usd: 40 });
    const newVersion = { ...job, start_time: '2026-01-04T00:00:00Z', end_time: '2026-01-04T02:00:00Z' };
    await t.db.transaction(async (m) => {
      // Created (a new job's mark), then moved (old and new version), and only then refreshed.
      await allocation.markJobsChanged(m, jobIntervals([job], { newJob: true }));
      await m.query(`UPDATE jobs SET start_time = $2, end_time = $3 WHERE id = $1`, [
        job.id,
        newVersion.start_time,
        newVersion.end_time,
      ]);
      await allocation.markJobsChanged(m, jobIntervals([job, newVersion]));
      await allocation.markSnapshotsChanged(m, [
        { day: '2026-01-03', provider: 'aws', gpuType: 'a100' },
        { day: '2026-01-04', provider: 'aws', gpuType: 'a100' },
      ]);
      await allocation.refreshDirty(m);
    });
    expect(await t.db.query(`SELECT day::text, gpu_hours::float8 AS hours FROM job_day_allocations`)).toEqual([
      { day: '2026-01-04', hours: 2 },
    ]);
    expect(await jobCosts()).toEqual({ twice: 40 });
  });

  it("follows a job's team change and a snapshot's new cost", async () => {
    const other = await createTeam(t.db);
    const job = await createJob(t.db, team.id);
    await createSnapshot(t.db, { cost_usd: 80 });
    await markAndRefresh([job]);
    await t.db.query(`UPDATE jobs SET team_id = $2 WHERE id = $1`, [job.id, other.id]);
    await t.db.query(`UPDATE cost_snapshots SET cost_usd = 95`);
    await markAndRefresh([job], [{ day: '2026-01-03', provider: 'aws', gpuType: 'a100' }]);
    const teams = await t.db.query(`SELECT team_id, cost_usd::float8 AS cost FROM allocation_team_days`);
    expect(teams).toEqual([{ team_id: other.id, cost: 95 }]);
  });

  it('adds a job to a busy cell and prices its snapshot without rewriting the other job-days', async () => {
    const busy = [];
    for (let i = 0; i < 40; i++) busy.push(await createJob(t.db, team.id, { job_id: `busy-${i}` }));
    await markAndRefresh(busy);
    /** Rows the refresh wrote to job_day_allocations, from this transaction's own counters. */
    const jobDayWrites = (change: (m: EntityManager) => Promise<void>) =>
      t.db.transaction(async (m) => {
        const counters = async () =>
          (
            await m.query(`SELECT n_tup_ins::int AS inserted, n_tup_upd::int AS updated, n_tup_del::int AS deleted
                          FROM pg_stat_xact_user_tables WHERE relname = 'job_day_allocations'`)
          )[0];
        const before = await counters();
        await change(m);
        await allocation.refreshDirty(m);
        const after = await counters();
        return {
          inserted: after.inserted - before.inserted,
          updated: after.updated - before.updated,
          deleted: after.deleted - before.deleted,
        };
      });

    const newcomer = await createJob(t.db, team.id, { job_id: 'newcomer' });
    expect(
      await jobDayWrites((m) => allocation.markJobsChanged(m, jobIntervals([newcomer], { newJob: true }))),
    ).toEqual({ inserted: 1, updated: 0, deleted: 0 });
    await createSnapshot(t.db, { cost_usd: 82 });
    expect(
      await jobDayWrites((m) =>
        allocation.markSnapshotsChanged(m, [{ day: '2026-01-03', provider: 'aws', gpuType: 'a100' }]),
      ),
    ).toEqual({
      inserted: 0,
      updated: 0,
      deleted: 0,
    });
    const costs = Object.values(await jobCosts());
    expect(costs).toHaveLength(41);
    for (const cost of costs) expect(cost).toBeCloseTo(2, 9);
  });

  it('recomputes only the marked cells, not the rest of the history', async () => {
    await createJob(t.db, team.id, { start_time: '2026-01-01T00:00:00Z', end_time: '2026-01-10T00:00:00Z' });
    for (let d = 1; d <= 9; d++) await createSnapshot(t.db, { entry_date: `2026-01-0${d}`, cost_usd: 10 });
    await allocation.rebuild();
    const [before] = await t.db.query(`SELECT max(refreshed_at) AS at FROM allocation_cells`);
    await createSnapshot(t.db, { entry_date: '2026-01-10', cost_usd: 10 });
    const result = await markAndRefresh([], [{ day: '2026-01-10', provider: 'aws', gpuType: 'a100' }]);
    expect(result).toEqual({ cells: 1 });
    const [{ untouched }] = await t.db.query(
      `SELECT count(*)::int AS untouched FROM allocation_cells WHERE refreshed_at <= $1`,
      [before.at],
    );
    expect(untouched).toBe(9);
  });

  it('gives a snapshot of the last day of a ten-day job to that job (a refresh looks back by the longest job)', async () => {
    const long = await createJob(t.db, team.id, {
      job_id: 'long',
      start_time: '2026-01-01T00:00:00Z',
      end_time: '2026-01-10T12:00:00Z',
    });
    await markAndRefresh([long]);
    await createSnapshot(t.db, { entry_date: '2026-01-10', cost_usd: 30 });
    await markAndRefresh([], [{ day: '2026-01-10', provider: 'aws', gpuType: 'a100' }]);
    expect(await jobCosts()).toEqual({ long: 30 });
  });

  it("gives today's snapshot to a job running since last month", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const running = await createJob(t.db, team.id, {
      job_id: 'running-long',
      status: 'running',
      start_time: new Date(Date.now() - 40 * 86_400_000).toISOString(),
      end_time: null,
    });
    await markAndRefresh([running]);
    await createSnapshot(t.db, { entry_date: today, cost_usd: 12 });
    await markAndRefresh([], [{ day: today, provider: 'aws', gpuType: 'a100' }]);
    expect(await jobCosts()).toEqual({ 'running-long': 12 });
  });

  it('refreshes with nothing marked as a no-op', async () => {
    expect(await allocation.refreshDirty()).toEqual({ cells: 0 });
  });

  it('measures a running job up to the refresh and carries no cost for a queued one', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const start = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const running = await createJob(t.db, team.id, {
      job_id: 'running',
      status: 'running',
      start_time: start,
      end_time: null,
    });
    const queued = await createJob(t.db, team.id, {
      job_id: 'queued',
      status: 'queued',
      start_time: start,
      end_time: null,
    });
    await createSnapshot(t.db, { entry_date: today, cost_usd: 10 });
    await markAndRefresh([running, queued]);
    expect(await jobCosts()).toEqual({ running: 10 });
    const [{ hours }] = await t.db.query(`SELECT sum(gpu_hours)::float8 AS hours FROM job_day_allocations`);
    // Two hours ago, unless the test straddles midnight UTC.
    expect(hours).toBeGreaterThan(0);
    expect(hours).toBeLessThanOrEqual(2.01);
  });

  describe('on random datasets (property)', () => {
    const providers = ['aws', 'gcp'];
    const gpus = ['a100', 'h100'];
    const base = Date.UTC(2026, 0, 1);
    const jobArb = fc.record({
      provider: fc.constantFrom(...providers),
      gpu_type: fc.constantFrom(...gpus),
      gpu_count: fc.constantFrom(0.25, 0.5, 1, 2, 3, 8),
      startMinute: fc.integer({ min: 0, max: 6 * 1440 }),
      minutes: fc.integer({ min: 0, max: 3 * 1440 }),
      team: fc.integer({ min: 0, max: 2 }),
      status: fc.constantFrom('completed', 'failed', 'cancelled', 'queued'),
    });
    const snapshotArb = fc.record({
      day: fc.integer({ min: 0, max: 8 }),
      provider: fc.constantFrom(...providers),
      gpu_type: fc.constantFrom(...gpus),
      cents: fc.integer({ min: 0, max: 1_000_000 }),
    });
    const iso = (minute: number) => new Date(base + minute * 60_000).toISOString();
    const dayOf = (d: number) => new Date(base + d * 86_400_000).toISOString().slice(0, 10);

    const derivedState = async () => ({
      jobDays: await t.db.query(
        `SELECT day::text, provider, gpu_type, job_uuid, team_id, model_name, status, gpu_hours::text, first_day FROM job_day_allocations ORDER BY 1,2,3,4`,
      ),
      cells: await t.db.query(
        `SELECT day::text, provider, gpu_type, snapshot_cost_usd::text, gpu_hours::text, allocated_usd::text, unallocated_usd::text, unpriced_gpu_hours::text, job_count, rate::text FROM allocation_cells ORDER BY 1,2,3`,
      ),
      teamDays: await t.db.query(`SELECT * FROM allocation_team_days ORDER BY day, team_id`),
      modelDays: await t.db.query(`SELECT * FROM allocation_model_days ORDER BY day, model_name`),
      teamModelDays: await t.db.query(`SELECT * FROM allocation_team_model_days ORDER BY day, team_id, model_name`),
    });

    it('conserves every snapshot, never goes negative, matches the arithmetic, and incremental == rebuild', async () => {
      const teams = [team, await createTeam(t.db), await createTeam(t.db)];
      await fc.assert(
        fc.asyncProperty(
          fc.array(jobArb, { maxLength: 12 }),
          fc.uniqueArray(snapshotArb, { maxLength: 10, selector: (s) => `${s.day}|${s.provider}|${s.gpu_type}` }),
          fc.array(fc.tuple(fc.nat(), jobArb), { maxLength: 5 }),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 500_000 })), { maxLength: 3 }),
          async (jobSpecs, generatedSnapshots, jobEdits, snapshotEdits) => {
            // Copied: the edits below change costs, and fast-check replays its own values.
            const snapshotSpecs = generatedSnapshots.map((s) => ({ ...s }));
            await t.db.query(`TRUNCATE jobs, cost_snapshots, ${DERIVED_TABLES.join(', ')}`);
            const toRow = (s: (typeof jobSpecs)[number]) => ({
              provider: s.provider,
              gpu_type: s.gpu_type,
              gpu_count: s.gpu_count,
              status: s.status,
              start_time: iso(s.startMinute),
              end_time: iso(s.startMinute + s.minutes),
              model_name: `m${s.team}`,
            });
            const jobs: (JobInput & { id: string })[] = [];
            for (const spec of jobSpecs) jobs.push(await createJob(t.db, teams[spec.team].id, toRow(spec)));
            for (const s of snapshotSpecs)
              await createSnapshot(t.db, {
                entry_date: dayOf(s.day),
                provider: s.provider,
                gpu_type: s.gpu_type,
                cost_usd: s.cents / 100,
              });
            await markAndRefresh(
              jobs,
              snapshotSpecs.map((s) => ({ day: dayOf(s.day), provider: s.provider, gpuType: s.gpu_type })),
              { newJobs: true },
            );

            // Incremental changes, each marked with the old and the new version.
            for (const [index, spec] of jobEdits) {
              if (!jobs.length) break;
              const old = jobs[index % jobs.length];
              const changed = { ...old, ...toRow(spec), team_id: teams[spec.team].id };
              await updateJobRow(t.db, { ...changed, id: old.id });
              jobs[index % jobs.length] = changed;
              await markAndRefresh([old, changed]);
            }
            for (const [index, cents] of snapshotEdits) {
              if (!snapshotSpecs.length) break;
              const s = snapshotSpecs[index % snapshotSpecs.length];
              await t.db.query(
                `UPDATE cost_snapshots SET cost_usd = $4 WHERE entry_date = $1 AND provider = $2 AND gpu_type = $3`,
                [dayOf(s.day), s.provider, s.gpu_type, cents / 100],
              );
              s.cents = cents;
              await markAndRefresh([], [{ day: dayOf(s.day), provider: s.provider, gpuType: s.gpu_type }]);
            }

            const [sums] = await t.db.query(`SELECT
                (SELECT coalesce(sum(cost_usd), 0) FROM cost_snapshots)::text AS snapshots,
                ((SELECT coalesce(sum(cost_usd), 0) FROM ${JOB_DAY_COSTS}) + (SELECT coalesce(sum(unallocated_usd), 0) FROM allocation_cells))::text AS allocated_plus_idle,
                (SELECT coalesce(sum(allocated_usd + unallocated_usd), 0) FROM allocation_cells)::text AS cells,
                (SELECT count(*) FROM ${JOB_DAY_COSTS} WHERE cost_usd < 0 OR gpu_hours <= 0)::int AS negatives`);
            // Every cell's snapshot is allocated or idle, exactly; the jobs' parts (each rounded
            // to 10⁻¹² $) add up to it within a millionth of a cent.
            expect(sums.cells).toBe(sums.snapshots);
            expect(Math.abs(Number(sums.allocated_plus_idle) - Number(sums.snapshots))).toBeLessThan(1e-8);
            expect(sums.negatives).toBe(0);

            const model = allocate(
              jobs.map((j) => ({
                id: j.id,
                provider: j.provider,
                gpuType: j.gpu_type,
                gpuCount: j.gpu_count,
                start: new Date(j.start_time),
                end: new Date(j.end_time!),
                status: j.status,
              })),
              snapshotSpecs.map((s) => ({
                day: dayOf(s.day),
                provider: s.provider,
                gpuType: s.gpu_type,
                costUsd: s.cents / 100,
              })),
              new Date(),
            );
            const stored = await derivedState();
            const costed = await t.db.query(
              `SELECT day::text, job_uuid, gpu_hours::text, cost_usd::text FROM ${JOB_DAY_COSTS}`,
            );
            expect(costed.length).toBe(model.jobDays.length);
            for (const jd of model.jobDays) {
              const row = costed.find(
                (r: { job_uuid: string; day: string }) => r.job_uuid === jd.jobUuid && r.day === jd.day,
              );
              expect(Number(row.cost_usd)).toBeCloseTo(jd.costUsd, 6);
              expect(Number(row.gpu_hours)).toBeCloseTo(jd.gpuHours, 9);
            }

            await allocation.rebuild();
            expect(await derivedState()).toEqual(stored);
          },
        ),
        { numRuns: 25 },
      );
    });
  });
});
