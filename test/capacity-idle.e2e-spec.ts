import { parse } from 'csv-parse/sync';
import { AllocationService } from '../src/allocation/allocation.service';
import { allocationState } from './support/allocation-state';
import {
  adminAuth,
  createJob,
  createSnapshot,
  createTeam,
  jobIntervals,
  memberAuth,
  TeamRow,
} from './support/factories';
import { expectErrorShape, unmeasured } from './support/expectations';
import { createTestApp, TestApp } from './support/test-app';

/**
 * docs/allocation.md's worked example, through the API. aws/h100 has 8 GPUs of capacity owned by
 * team platform (192 GPU-hours a day). On 2026-01-03 it billed $960 ($5 a GPU-hour): vision's job
 * A used 80 GPU-hours ($400), nlp's job B 20 ($100), and 92 were idle ($460); aws/a100 billed $300
 * and nobody used it. On 2026-01-04 nlp's job C used 240 GPU-hours, more than the capacity: the
 * $960 is split by GPU-hours and nothing is idle.
 */
describe('Capacity and idle in the reports, and "explain this dollar"', () => {
  let t: TestApp;
  let admin: string;
  let vision: TeamRow;
  let nlp: TeamRow;
  let platform: TeamRow;
  let capacityId: string;
  const range = 'start=2026-01-03&end=2026-01-04';
  const day3 = 'start=2026-01-03&end=2026-01-03';

  beforeAll(async () => {
    t = await createTestApp();
    vision = await createTeam(t.db, { name: 'vision' });
    nlp = await createTeam(t.db, { name: 'nlp' });
    platform = await createTeam(t.db, { name: 'platform' });
    const h100 = { provider: 'aws', gpu_type: 'h100' };
    const jobs = [
      await createJob(t.db, vision.id, {
        ...h100,
        job_id: 'A',
        model_name: 'llama',
        gpu_count: 8,
        start_time: '2026-01-03T00:00:00Z',
        end_time: '2026-01-03T10:00:00Z',
      }),
      await createJob(t.db, nlp.id, {
        ...h100,
        job_id: 'B',
        model_name: 'bert',
        gpu_count: 4,
        start_time: '2026-01-03T10:00:00Z',
        end_time: '2026-01-03T15:00:00Z',
      }),
      await createJob(t.db, nlp.id, {
        ...h100,
        job_id: 'C',
        model_name: 'bert',
        gpu_count: 10,
        start_time: '2026-01-04T00:00:00Z',
        end_time: '2026-01-05T00:00:00Z',
      }),
      await createJob(t.db, vision.id, {
        ...h100,
        job_id: 'D',
        model_name: 'llama',
        gpu_count: 1,
        start_time: '2026-01-06T00:00:00Z',
        end_time: '2026-01-06T02:00:00Z',
      }),
    ];
    await createSnapshot(t.db, { entry_date: '2026-01-03', gpu_type: 'h100', cost_usd: 960 });
    await createSnapshot(t.db, { entry_date: '2026-01-03', gpu_type: 'a100', cost_usd: 300 });
    await createSnapshot(t.db, { entry_date: '2026-01-04', gpu_type: 'h100', cost_usd: 960 });
    const allocation = t.app.get(AllocationService);
    await t.db.transaction(async (m) => {
      await allocation.markJobsChanged(m, jobIntervals(jobs, { newJob: true }));
      await allocation.markSnapshotsChanged(m, [{ day: '2026-01-03', provider: 'aws', gpuType: 'a100' }]);
    });
    admin = (await adminAuth(t)).header;
  });
  afterAll(() => t.close());

  const get = async (path: string, as = admin) =>
    (await t.http.get(`/api/v1${path}`).set('Authorization', as).expect(200)).body;
  const byTeam = async (query: string, as = admin): Promise<Record<string, Record<string, number>>> =>
    Object.fromEntries(
      ((await get(`/analytics/cost/by-team?${query}`, as)) as ({ team_name: string } & Record<string, number>)[]).map(
        ({ team_name, ...rest }) => [team_name, rest],
      ),
    );

  describe('declaring capacity', () => {
    it('re-prices its cells in the same request: the jobs pay $5 a GPU-hour instead of the whole snapshot', async () => {
      expect(await byTeam(day3)).toMatchObject({ vision: { total_cost_usd: 768 }, nlp: { total_cost_usd: 192 } });
      const res = await t.http
        .post('/api/v1/capacity')
        .set('Authorization', admin)
        .send({ provider: 'aws', gpu_type: 'h100', gpu_count: 8, from: '2026-01-01', owner_team_id: platform.id })
        .expect(201);
      capacityId = res.body.id;
      const [{ marks }] = await t.db.query(`SELECT count(*)::int AS marks FROM allocation_dirty_cells`);
      expect(marks).toBe(0);
      expect(await byTeam(day3)).toMatchObject({ vision: { total_cost_usd: 400 }, nlp: { total_cost_usd: 100 } });
    });
  });

  describe('idle=separate|share|owner', () => {
    it('answers by-team as before when idle is left out: allocated cost, no idle fields', async () => {
      const rows = await get(`/analytics/cost/by-team?${range}`);
      const fields = ['team_name', 'team_id', 'total_cost_usd', 'job_count', 'gpu_hours', 'share_pct']
        .concat(['used_cost_usd', 'waste_usd', 'unmeasured_cost_usd', 'efficiency'])
        .concat(['start_date', 'end_date']);
      expect(rows.map((r: object) => Object.keys(r))).toEqual([fields, fields]);
      expect(await byTeam(range)).toMatchObject({ nlp: { total_cost_usd: 1060 }, vision: { total_cost_usd: 400 } });
    });

    it('keeps idle as its own total with idle=separate', async () => {
      expect(await byTeam(`${range}&idle=separate`)).toEqual({
        nlp: expect.objectContaining({ total_cost_usd: 1060, allocated_usd: 1060, idle_usd: 0, cost_usd: 1060 }),
        vision: expect.objectContaining({ total_cost_usd: 400, allocated_usd: 400, idle_usd: 0, cost_usd: 400 }),
      });
      const report = await get(`/analytics/cost?${range}&group_by=team&idle=separate`);
      expect(report.totals).toEqual(
        unmeasured({
          allocated_usd: 1460,
          idle_usd: 0,
          cost_usd: 1460,
          unallocated_usd: 760,
          total_usd: 2220,
          gpu_hours: 340,
          unpriced_gpu_hours: 0,
        }),
      );
    });

    it('spreads each cell’s idle over its users by their cost there with idle=share (unused cells stay apart)', async () => {
      expect(await byTeam(`${range}&idle=share`)).toEqual({
        nlp: expect.objectContaining({ allocated_usd: 1060, idle_usd: 92, cost_usd: 1152, total_cost_usd: 1152 }),
        vision: expect.objectContaining({ allocated_usd: 400, idle_usd: 368, cost_usd: 768, total_cost_usd: 768 }),
      });
      const report = await get(`/analytics/cost?${range}&group_by=team&idle=share`);
      expect(report.totals).toMatchObject({ allocated_usd: 1460, idle_usd: 460, cost_usd: 1920, unallocated_usd: 300 });
      expect(report.totals.total_usd).toBe(2220);
      const byModel = await get(`/analytics/cost/by-model?${day3}&idle=share`);
      expect(byModel.map((r: { model_name: string; cost_usd: number }) => [r.model_name, r.cost_usd])).toEqual([
        ['llama', 768],
        ['bert', 192],
      ]);
    });

    it('charges the idle to the capacity’s owner with idle=owner, in a row of its own when it ran nothing', async () => {
      const report = await get(`/analytics/cost?${range}&group_by=team&idle=owner`);
      expect(report.rows).toEqual([
        expect.objectContaining({ team_name: 'nlp', allocated_usd: 1060, idle_usd: 0, cost_usd: 1060, job_count: 2 }),
        expect.objectContaining({
          team_name: 'platform',
          allocated_usd: 0,
          idle_usd: 460,
          cost_usd: 460,
          job_count: 0,
        }),
        expect.objectContaining({ team_name: 'vision', allocated_usd: 400, idle_usd: 0, cost_usd: 400, job_count: 1 }),
      ]);
      // The a100's $300 had no capacity, so no owner: it stays apart.
      expect(report.totals).toMatchObject({ allocated_usd: 1460, idle_usd: 460, cost_usd: 1920, unallocated_usd: 300 });
      expect(report.totals.total_usd).toBe(2220);
    });

    it('puts the owner’s idle in its cell’s provider, GPU type and day, and under no model', async () => {
      const cells = await get(`/analytics/cost?${range}&group_by=day,team,gpu_type&idle=owner`);
      expect(cells.rows.filter((r: { team_name: string }) => r.team_name === 'platform')).toEqual([
        expect.objectContaining({ day: '2026-01-03', gpu_type: 'h100', idle_usd: 460 }),
      ]);
      const models = await get(`/analytics/cost?${range}&group_by=team,model&idle=owner`);
      expect(models.rows).toContainEqual(
        expect.objectContaining({ team_name: 'platform', model_name: null, idle_usd: 460 }),
      );
      const bert = await get(`/analytics/cost?${range}&group_by=team&idle=owner&model_name=bert`);
      expect(bert.rows.map((r: { team_name: string }) => r.team_name)).toEqual(['nlp']);
    });

    it("shows a member its own team's charged idle only", async () => {
      const owner = (await memberAuth(t, platform.id)).header;
      const own = await get(`/analytics/cost?${range}&group_by=team&idle=owner`, owner);
      expect(own.rows).toEqual([expect.objectContaining({ team_name: 'platform', cost_usd: 460 })]);
      expect(own.totals).toMatchObject({
        allocated_usd: 0,
        idle_usd: 460,
        cost_usd: 460,
        unallocated_usd: 0,
        total_usd: 460,
      });
      const user = (await memberAuth(t, vision.id)).header;
      const theirs = await get(`/analytics/cost?${range}&group_by=team&idle=owner`, user);
      expect(theirs.rows.map((r: { team_name: string }) => r.team_name)).toEqual(['vision']);
      expect(theirs.totals).toMatchObject({ idle_usd: 0, unallocated_usd: 0, total_usd: 400 });
    });

    it.each([
      ['/analytics/cost/by-model?start=2026-01-03&end=2026-01-04&idle=owner'],
      ['/analytics/cost?start=2026-01-03&end=2026-01-04&idle=owner'],
      ['/analytics/cost?start=2026-01-03&end=2026-01-04&group_by=model,gpu_type&idle=owner'],
      ['/analytics/trends?start=2026-01-03&end=2026-01-04&group_by=model&idle=owner'],
      ['/analytics/cost?start=2026-01-03&end=2026-01-04&idle=everyone'],
    ])('answers 400 naming idle where it does not apply: %s', async (path) => {
      const res = await t.http.get(`/api/v1${path}`).set('Authorization', admin).expect(400);
      expectErrorShape(res.body, 400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain('idle');
    });

    it('downloads the idle columns as CSV', async () => {
      const res = await t.http
        .get(`/api/v1/analytics/cost?${range}&group_by=team&idle=share&format=csv`)
        .set('Authorization', admin)
        .expect(200);
      expect(res.text.split('\n')[0]).toBe(
        'team_id,team_name,allocated_usd,idle_usd,cost_usd,gpu_hours,unpriced_gpu_hours,job_count,' +
          'used_cost_usd,waste_usd,unmeasured_cost_usd,efficiency',
      );
    });

    it('compares teams with their share of idle in trends', async () => {
      const trends = await get(`/analytics/trends?${day3}&group_by=team&idle=share`);
      expect(trends.totals).toMatchObject({ cost_usd: 960 });
      expect(trends.rows[0]).toMatchObject({ team_name: 'vision', cost_usd: 768 });
    });

    it('splits a day used beyond its capacity by GPU-hours, with no idle', async () => {
      const report = await get(`/analytics/cost?start=2026-01-04&end=2026-01-04&group_by=team&idle=share`);
      expect(report.rows).toEqual([expect.objectContaining({ team_name: 'nlp', allocated_usd: 960, idle_usd: 0 })]);
      expect(report.totals).toMatchObject({ unallocated_usd: 0, total_usd: 960 });
    });
  });

  describe('GET /jobs/:job_id/cost/explain', () => {
    const explain = (job: string, query: string, as = admin) => get(`/jobs/${job}/cost/explain?${query}`, as);

    it('explains a capacity-priced day: the cell, the rule, the job, and the idle kept apart', async () => {
      const res = await explain('A', 'day=2026-01-03');
      expect(res).toEqual({
        job_id: 'A',
        day: '2026-01-03',
        rule: 'capacity',
        rule_description: expect.stringContaining('$960.00 ÷ 192 = $5'),
        cell: {
          day: '2026-01-03',
          provider: 'aws',
          gpu_type: 'h100',
          snapshot_cost_usd: 960,
          capacity: {
            capacity_id: capacityId,
            gpu_count: 8,
            gpu_hours: 192,
            owner_team_id: platform.id,
            owner_team_name: 'platform',
          },
          gpu_hours_used: 100,
          job_count: 2,
          price_per_gpu_hour: 5,
          allocated_usd: 500,
          idle_usd: 460,
        },
        job: {
          job_id: 'A',
          team_id: vision.id,
          team_name: 'vision',
          model_name: 'llama',
          interval_start: '2026-01-03T00:00:00.000Z',
          interval_end: '2026-01-03T10:00:00.000Z',
          gpu_count: 8,
          gpu_hours: 80,
          share: 0.8,
          cost_usd: 400,
          used_cost_usd: null,
          gpu_utilization: null,
        },
        idle: {
          treatment: 'separate',
          charged_to: 'separate',
          job_idle_usd: 0,
          job_total_usd: 400,
          description: expect.stringContaining('$460.00'),
        },
      });
    });

    it("gives the reports' numbers: the jobs' costs and the idle add up to the snapshot, each job's to its team's row", async () => {
      for (const idle of ['separate', 'share', 'owner'] as const) {
        const [a, b] = [
          await explain('A', `day=2026-01-03&idle=${idle}`),
          await explain('B', `day=2026-01-03&idle=${idle}`),
        ];
        const teams = await byTeam(`${day3}&idle=${idle}`);
        expect(a.idle.job_total_usd).toBe(teams.vision.cost_usd);
        expect(b.idle.job_total_usd).toBe(teams.nlp.cost_usd);
        expect(a.job.cost_usd + b.job.cost_usd + a.cell.idle_usd).toBe(a.cell.snapshot_cost_usd);
      }
      const cell = await get(`/analytics/cost?${day3}&provider=aws&gpu_type=h100&group_by=gpu_type`);
      const a = await explain('A', 'day=2026-01-03');
      expect(cell.totals).toMatchObject({ allocated_usd: a.cell.allocated_usd, unallocated_usd: a.cell.idle_usd });
      const job = await get('/jobs/A');
      expect(job.daily_costs).toEqual([{ date: '2026-01-03', gpu_hours: 80, cost_usd: a.job.cost_usd }]);
    });

    it('shows what share and owner do to the job', async () => {
      expect((await explain('A', 'day=2026-01-03&idle=share')).idle).toMatchObject({
        charged_to: 'jobs',
        job_idle_usd: 368,
        job_total_usd: 768,
      });
      expect((await explain('A', 'day=2026-01-03&idle=owner')).idle).toMatchObject({
        charged_to: 'owner',
        job_idle_usd: 0,
        owner_team_id: platform.id,
        owner_team_name: 'platform',
      });
    });

    it('explains a day used beyond capacity and a day without a snapshot', async () => {
      expect(await explain('C', 'day=2026-01-04&idle=share')).toMatchObject({
        rule: 'over_capacity',
        cell: { price_per_gpu_hour: 4, allocated_usd: 960, idle_usd: 0 },
        job: { gpu_hours: 240, share: 1, cost_usd: 960 },
        idle: { charged_to: 'nobody', job_idle_usd: 0, job_total_usd: 960 },
      });
      expect(await explain('D', 'day=2026-01-06')).toMatchObject({
        rule: 'unpriced',
        cell: { snapshot_cost_usd: null, price_per_gpu_hour: 0 },
        job: { gpu_hours: 2, cost_usd: 0 },
      });
    });

    it("lets a member explain its own team's jobs only, without naming another team that owns the capacity", async () => {
      const member = (await memberAuth(t, vision.id)).header;
      const own = await explain('A', 'day=2026-01-03&idle=owner', member);
      expect(own.cell.capacity).toMatchObject({ owner_team_id: null, owner_team_name: null });
      expect(own.idle).toMatchObject({ charged_to: 'owner', owner_team_id: null, owner_team_name: null });
      expect(own.idle.description).not.toContain('platform');
      await t.http.get('/api/v1/jobs/B/cost/explain?day=2026-01-03').set('Authorization', member).expect(404);
    });

    it('answers 404 for a day the job used no GPU, 400 naming day or idle when they are bad', async () => {
      await t.http.get('/api/v1/jobs/A/cost/explain?day=2026-01-04').set('Authorization', admin).expect(404);
      await t.http.get('/api/v1/jobs/nope/cost/explain?day=2026-01-04').set('Authorization', admin).expect(404);
      for (const [query, field] of [
        ['', 'day'],
        ['day=2026-02-30', 'day'],
        ['day=2026-01-03&idle=all', 'idle'],
      ]) {
        const res = await t.http.get(`/api/v1/jobs/A/cost/explain?${query}`).set('Authorization', admin).expect(400);
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      }
    });
  });

  describe('FOCUS export (split cost allocation)', () => {
    const focus = async (query: string, as = admin) =>
      parse<Record<string, string>>(
        (await t.http.get(`/api/v1/analytics/cost/export?${range}&${query}`).set('Authorization', as).expect(200)).text,
        { columns: true },
      );
    const ratio = (row: Record<string, string>) =>
      (JSON.parse(row.AllocatedMethodDetails) as { Elements: { AllocatedRatio: number }[] }).Elements[0].AllocatedRatio;

    it('exports each job-day as an allocated charge of its snapshot, and the unused capacity as the unallocated portion', async () => {
      const rows = await focus('');
      const [a, b, c] = ['A', 'B', 'C'].map((id) => rows.find((r) => r.x_JobId === id)!);
      expect(a).toMatchObject({
        BilledCost: '400.000000',
        AllocatedMethodId: 'heliox:capacity',
        AllocatedResourceName: 'A',
        CapacityReservationId: capacityId,
        CapacityReservationStatus: 'Used',
        AllocatedTags: '',
      });
      expect(JSON.parse(a.AllocatedMethodDetails)).toEqual({
        Elements: [{ AllocatedRatio: 0.416666666667, UsageUnit: 'GPU-Hours', UsageQuantity: 80 }],
        x_IdleTreatment: 'separate',
        x_PricePerGpuHour: 5,
        x_CapacityGpuHours: 192,
      });
      expect(b).toMatchObject({ BilledCost: '100.000000', AllocatedMethodId: 'heliox:capacity' });
      expect(c).toMatchObject({ BilledCost: '960.000000', AllocatedMethodId: 'heliox:gpu-hours' });
      const idle = rows.filter((r) => r.x_JobId === '');
      expect(idle).toEqual([
        expect.objectContaining({
          ChargePeriodStart: '2026-01-03T00:00:00Z',
          BilledCost: '460.000000',
          ConsumedQuantity: '92.000000',
          ResourceId: capacityId,
          AllocatedMethodId: 'heliox:capacity',
          AllocatedResourceId: '',
          AllocatedResourceName: '',
          x_TeamId: '',
          CapacityReservationStatus: 'Unused',
        }),
      ]);
      // The allocated charges of the 3rd's snapshot add up to it, and their ratios to 1.
      const day3Rows = [a, b, idle[0]];
      expect(day3Rows.reduce((sum, r) => sum + Number(r.BilledCost), 0)).toBe(960);
      expect(day3Rows.reduce((sum, r) => sum + ratio(r), 0)).toBeCloseTo(1, 10);
    });

    it('puts the shared idle in the job rows with idle=share, and charges it to the owner team with idle=owner', async () => {
      const shared = await focus('idle=share');
      expect(shared.filter((r) => r.x_JobId === '')).toEqual([]);
      expect(shared.find((r) => r.x_JobId === 'A')).toMatchObject({
        BilledCost: '768.000000',
        AllocatedMethodId: 'heliox:capacity-idle-shared',
      });
      const owned = await focus('idle=owner');
      expect(owned.filter((r) => r.x_JobId === '')).toEqual([
        expect.objectContaining({
          BilledCost: '460.000000',
          AllocatedMethodId: 'heliox:capacity-idle-owner',
          AllocatedResourceId: platform.id,
          AllocatedResourceName: 'platform',
          x_TeamName: 'platform',
        }),
      ]);
      const sum = (rows: Record<string, string>[]) => rows.reduce((s, r) => s + Number(r.BilledCost), 0);
      // Every mode exports the same dollars: the snapshots jobs used (the unused a100 is not split).
      expect(sum(shared)).toBe(1920);
      expect(sum(owned)).toBe(1920);
    });

    it("exports a member's own team's rows: its jobs, and the idle it owns under idle=owner", async () => {
      const user = (await memberAuth(t, vision.id)).header;
      expect((await focus('', user)).map((r) => r.x_JobId)).toEqual(['A']);
      const owner = (await memberAuth(t, platform.id)).header;
      expect((await focus('idle=owner', owner)).map((r) => [r.x_TeamName, r.BilledCost])).toEqual([
        ['platform', '460.000000'],
      ]);
      expect(await focus('idle=separate', owner)).toEqual([]);
    });
  });

  describe('changing capacity', () => {
    it('re-prices only the cells of its provider, GPU type and days, and equals a rebuild', async () => {
      const before = await t.db.query(
        `SELECT day::text, provider, gpu_type, refreshed_at, rate::text FROM allocation_cells ORDER BY 1, 2, 3`,
      );
      const teamDaysBefore = await t.db.query(
        `SELECT * FROM allocation_team_days WHERE day <> '2026-01-03' ORDER BY day, team_id`,
      );
      // 2026-01-03 only: the 4th goes back to the split by GPU-hours (the same price there).
      await t.http
        .patch(`/api/v1/capacity/${capacityId}`)
        .set('Authorization', admin)
        .send({ to: '2026-01-03', gpu_count: 5 })
        .expect(200);
      const after = await t.db.query(
        `SELECT day::text, provider, gpu_type, refreshed_at, rate::text FROM allocation_cells ORDER BY 1, 2, 3`,
      );
      const changed = after
        .filter((c: { refreshed_at: Date }, i: number) => c.refreshed_at.getTime() !== before[i].refreshed_at.getTime())
        .map((c: { day: string; gpu_type: string }) => `${c.day} ${c.gpu_type}`);
      // Every h100 cell from the old period's first day on; nothing of the a100.
      expect(changed).toEqual(['2026-01-03 h100', '2026-01-04 h100', '2026-01-06 h100']);
      expect(
        await t.db.query(`SELECT * FROM allocation_team_days WHERE day <> '2026-01-03' ORDER BY day, team_id`),
      ).toEqual(teamDaysBefore);
      // 5 GPUs: 120 GPU-hours at $8; A pays $640.
      expect(await byTeam(day3)).toMatchObject({ vision: { total_cost_usd: 640 }, nlp: { total_cost_usd: 160 } });
      const incremental = await allocationState(t.db);
      await t.app.get(AllocationService).rebuild();
      expect(await allocationState(t.db)).toEqual(incremental);
    });

    it('gives the cells back to the split by GPU-hours when it is removed', async () => {
      await t.http.delete(`/api/v1/capacity/${capacityId}`).set('Authorization', admin).expect(204);
      expect(await byTeam(day3)).toMatchObject({ vision: { total_cost_usd: 768 }, nlp: { total_cost_usd: 192 } });
      const report = await get(`/analytics/cost?${day3}&group_by=team&idle=owner`);
      expect(report.totals).toMatchObject({ idle_usd: 0, unallocated_usd: 300, total_usd: 1260 });
    });
  });
});
