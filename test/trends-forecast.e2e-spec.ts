import { AllocationService } from '../src/allocation/allocation.service';
import type { SnapshotCell } from '../src/allocation/allocation.service';
import { addDays } from '../src/common/calendar';
import { expectErrorShape } from './support/expectations';
import {
  adminAuth,
  createJob,
  createSnapshot,
  createTeam,
  JobInput,
  jobIntervals,
  memberAuth,
  TeamRow,
} from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Trends (July 2025, previous window June 21–30), all jobs sole users of their cell unless said:
 *  2025-07-02 aws/l4  $200: steady 1 GPU × 10 h, shrinking 3 GPUs × 10 h → $50 / $150
 *  2025-07-03 aws/t4  $30:  shrinking → $30
 *  2025-07-05 gcp/l4  $80:  fresh → $80 (nothing before)
 *  2025-06-25 aws/l4  $50:  steady → $50 (previous window)
 *  2025-06-22 aws/t4  $400: shrinking → $400 (previous window)
 *  2025-06-20 gcp/l4  $999: fresh, the day before the previous window: counted nowhere
 *  2025-07-11 aws/l4  $500: steady, the day after the range: counted nowhere
 *
 * Forecasts (2026-01-05, a Monday, to 2026-03-20, a Friday, the last day with a snapshot): one
 * job a team running all the time on a cell of its own, so its daily cost is the day's bill.
 *  weekdays: aws/a100 $100 Monday to Friday, $0 at weekends
 *  noisy:    gcp/h100 $50 … $149 a day
 */
describe('Trends and forecasts', () => {
  let t: TestApp;
  let admin: string;
  let steady: TeamRow;
  let shrinking: TeamRow;
  let fresh: TeamRow;
  let weekdays: TeamRow;
  let noisy: TeamRow;
  const range = 'start=2025-07-01&end=2025-07-10';

  const day = (d: string, from: string, to: string) => ({
    start_time: `${d}T${from}:00Z`,
    end_time: `${d}T${to}:00Z`,
  });

  beforeAll(async () => {
    t = await createTestApp();
    steady = await createTeam(t.db, { name: 'steady' });
    shrinking = await createTeam(t.db, { name: 'shrinking' });
    fresh = await createTeam(t.db, { name: 'fresh' });
    weekdays = await createTeam(t.db, { name: 'weekdays', budget_usd: 3000 });
    noisy = await createTeam(t.db, { name: 'noisy', budget_usd: null });
    const trendJobs: [TeamRow, Partial<JobInput>][] = [
      [steady, { gpu_type: 'l4', ...day('2025-07-02', '00:00', '10:00') }],
      [shrinking, { gpu_type: 'l4', gpu_count: 3, ...day('2025-07-02', '00:00', '10:00') }],
      [shrinking, { gpu_type: 't4', ...day('2025-07-03', '00:00', '01:00') }],
      [fresh, { provider: 'gcp', gpu_type: 'l4', ...day('2025-07-05', '00:00', '01:00') }],
      [steady, { gpu_type: 'l4', ...day('2025-06-25', '00:00', '01:00') }],
      [shrinking, { gpu_type: 't4', ...day('2025-06-22', '00:00', '01:00') }],
      [fresh, { provider: 'gcp', gpu_type: 'l4', ...day('2025-06-20', '00:00', '01:00') }],
      [steady, { gpu_type: 'l4', ...day('2025-07-11', '00:00', '01:00') }],
    ];
    const snapshots: { entry_date: string; provider: string; gpu_type: string; cost_usd: number }[] = [
      { entry_date: '2025-07-02', provider: 'aws', gpu_type: 'l4', cost_usd: 200 },
      { entry_date: '2025-07-03', provider: 'aws', gpu_type: 't4', cost_usd: 30 },
      { entry_date: '2025-07-05', provider: 'gcp', gpu_type: 'l4', cost_usd: 80 },
      { entry_date: '2025-06-25', provider: 'aws', gpu_type: 'l4', cost_usd: 50 },
      { entry_date: '2025-06-22', provider: 'aws', gpu_type: 't4', cost_usd: 400 },
      { entry_date: '2025-06-20', provider: 'gcp', gpu_type: 'l4', cost_usd: 999 },
      { entry_date: '2025-07-11', provider: 'aws', gpu_type: 'l4', cost_usd: 500 },
    ];
    const jobs: (JobInput & { id: string })[] = [];
    for (const [team, job] of trendJobs) jobs.push(await createJob(t.db, team.id, job));
    const allDay = { start_time: '2026-01-05T00:00:00Z', end_time: '2026-03-21T00:00:00Z' };
    jobs.push(await createJob(t.db, weekdays.id, { provider: 'aws', gpu_type: 'a100', ...allDay }));
    jobs.push(await createJob(t.db, noisy.id, { provider: 'gcp', gpu_type: 'h100', ...allDay }));
    for (let d = '2026-01-05', i = 0; d <= '2026-03-20'; d = addDays(d, 1), i++) {
      const weekday = new Date(`${d}T00:00:00Z`).getUTCDay();
      snapshots.push(
        { entry_date: d, provider: 'aws', gpu_type: 'a100', cost_usd: weekday === 0 || weekday === 6 ? 0 : 100 },
        { entry_date: d, provider: 'gcp', gpu_type: 'h100', cost_usd: 50 + ((i * 37) % 100) },
      );
    }
    for (const s of snapshots) await createSnapshot(t.db, s);
    const cells: SnapshotCell[] = snapshots.map((s) => ({
      day: s.entry_date,
      provider: s.provider,
      gpuType: s.gpu_type,
    }));
    const allocation = t.app.get(AllocationService);
    await t.db.transaction(async (m) => {
      await allocation.markJobsChanged(m, jobIntervals(jobs));
      await allocation.markSnapshotsChanged(m, cells);
    });
    admin = (await adminAuth(t)).header;
  });
  afterAll(() => t.close());

  describe('trends', () => {
    const trends = (query: string, auth = admin) =>
      t.http.get(`/api/v1/analytics/trends?${query}`).set('Authorization', auth);

    it('compares each team with the same number of days just before, largest change first', async () => {
      const res = await trends(`${range}&group_by=team`).expect(200);
      expect(res.body).toEqual({
        start: '2025-07-01',
        end: '2025-07-10',
        previous_start: '2025-06-21',
        previous_end: '2025-06-30',
        rows: [
          {
            team_id: shrinking.id,
            team_name: 'shrinking',
            cost_usd: 180,
            previous_cost_usd: 400,
            change_usd: -220,
            change_pct: -55,
          },
          // Nothing before: no percentage of nothing.
          {
            team_id: fresh.id,
            team_name: 'fresh',
            cost_usd: 80,
            previous_cost_usd: 0,
            change_usd: 80,
            change_pct: null,
          },
          {
            team_id: steady.id,
            team_name: 'steady',
            cost_usd: 50,
            previous_cost_usd: 50,
            change_usd: 0,
            change_pct: 0,
          },
        ],
        totals: { cost_usd: 310, previous_cost_usd: 450, change_usd: -140, change_pct: -31.11 },
      });
    });

    it('groups by provider and by GPU type with the fields of /analytics/cost, sorted by the size of the change', async () => {
      const providers = await trends(`${range}&group_by=provider`).expect(200);
      expect(providers.body.rows).toEqual([
        { provider: 'aws', cost_usd: 230, previous_cost_usd: 450, change_usd: -220, change_pct: -48.89 },
        { provider: 'gcp', cost_usd: 80, previous_cost_usd: 0, change_usd: 80, change_pct: null },
      ]);
      const gpus = await trends(`${range}&group_by=gpu_type`).expect(200);
      expect(gpus.body.rows).toEqual([
        { gpu_type: 't4', cost_usd: 30, previous_cost_usd: 400, change_usd: -370, change_pct: -92.5 },
        { gpu_type: 'l4', cost_usd: 280, previous_cost_usd: 50, change_usd: 230, change_pct: 460 },
      ]);
    });

    it('cuts the rows at limit and keeps the totals of every group', async () => {
      const res = await trends(`${range}&group_by=team&limit=1`).expect(200);
      expect(res.body.rows.map((r: { team_name: string }) => r.team_name)).toEqual(['shrinking']);
      expect(res.body.totals).toEqual({ cost_usd: 310, previous_cost_usd: 450, change_usd: -140, change_pct: -31.11 });
    });

    it("shows a member its own team only, totals included, and refuses another team's", async () => {
      const member = (await memberAuth(t, steady.id)).header;
      const res = await trends(`${range}&group_by=provider`, member).expect(200);
      expect(res.body.rows).toEqual([
        { provider: 'aws', cost_usd: 50, previous_cost_usd: 50, change_usd: 0, change_pct: 0 },
      ]);
      expect(res.body.totals).toEqual({ cost_usd: 50, previous_cost_usd: 50, change_usd: 0, change_pct: 0 });
      const other = await trends(`${range}&group_by=team&team_id=${shrinking.id}`, member).expect(403);
      expectErrorShape(other.body, 403);
    });

    it('narrows an admin to the team asked for', async () => {
      const res = await trends(`${range}&group_by=team&team_id=${fresh.id}`).expect(200);
      expect(res.body.rows.map((r: { team_name: string }) => r.team_name)).toEqual(['fresh']);
      expect(res.body.totals.cost_usd).toBe(80);
    });

    it('refuses a missing or time group_by, a bad limit and a reversed range, naming the field', async () => {
      for (const [query, field] of [
        [range, 'group_by'],
        [`${range}&group_by=day`, 'group_by'],
        [`${range}&group_by=team&limit=0`, 'limit'],
        ['start=2025-07-10&end=2025-07-01&group_by=team', 'end'],
      ]) {
        const res = await trends(query).expect(400);
        expectErrorShape(res.body, 400);
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      }
    });
  });

  describe('forecast', () => {
    const forecast = (query: string, auth = admin) =>
      t.http.get(`/api/v1/analytics/forecast?${query}`).set('Authorization', auth);
    const teamOf = (body: { teams: { team_id: string }[] }, team: TeamRow) =>
      body.teams.find((r) => r.team_id === team.id) as Record<string, unknown>;

    it('forecasts from the weekdays: heavy Monday to Friday, empty weekends, as of the last snapshot', async () => {
      const res = await forecast('month=2026-03').expect(200);
      expect(res.body).toMatchObject({ month: '2026-03', as_of: '2026-03-20' });
      // Spent: 15 weekdays × $100. Left: Mar 21–31, 7 weekdays and 4 weekend days → 7 × $100.
      // A flat daily rate (5/7 × $100 a day) would say 1500 + 11 × 71.43 = 2285.71.
      expect(teamOf(res.body, weekdays)).toEqual({
        team_id: weekdays.id,
        team_name: 'weekdays',
        budget_usd: 3000,
        spend_to_date_usd: 1500,
        forecast_usd: 2200,
        forecast_low_usd: 2200,
        forecast_high_usd: 2200,
        interval: 0.8,
        projected_status: 'ok',
        method: 'weekday_profile',
      });
    });

    it('orders low ≤ forecast ≤ high with no bound below the spend to date', async () => {
      const res = await forecast('month=2026-03').expect(200);
      const f = teamOf(res.body, noisy) as Record<string, number>;
      expect(f.spend_to_date_usd).toBeGreaterThan(0);
      expect(f.forecast_low_usd).toBeGreaterThanOrEqual(f.spend_to_date_usd);
      expect(f.forecast_low_usd).toBeLessThan(f.forecast_usd);
      expect(f.forecast_usd).toBeLessThan(f.forecast_high_usd);
      expect(teamOf(res.body, noisy).projected_status).toBe('no_budget');
    });

    it('projects ok below 80 % of the budget, warning from 80 %, over from 100 %', async () => {
      const statusAt = async (budget: number) => {
        await t.db.query(`UPDATE teams SET budget_usd = $1 WHERE id = $2`, [budget, weekdays.id]);
        const res = await forecast(`month=2026-03&team_id=${weekdays.id}`).expect(200);
        return res.body.teams[0].projected_status;
      };
      try {
        expect(await statusAt(2750.01)).toBe('ok'); // 2200 is 79.99 %
        expect(await statusAt(2750)).toBe('warning'); // 80 %
        expect(await statusAt(2200.01)).toBe('warning');
        expect(await statusAt(2200)).toBe('over'); // 100 %
      } finally {
        await t.db.query(`UPDATE teams SET budget_usd = 3000 WHERE id = $1`, [weekdays.id]);
      }
    });

    it('is the forecast of /analytics/budgets', async () => {
      const res = await t.http.get('/api/v1/analytics/budgets?month=2026-03').set('Authorization', admin).expect(200);
      expect(teamOf(res.body, weekdays)).toMatchObject({ spend_usd: 1500, forecast_usd: 2200, status: 'ok' });
    });

    it('predicts a later month whole and answers a past month with its spend', async () => {
      // April 2026 has 22 weekdays.
      const april = await forecast(`month=2026-04&team_id=${weekdays.id}`).expect(200);
      expect(april.body.as_of).toBe('2026-03-20');
      expect(april.body.teams[0]).toMatchObject({ spend_to_date_usd: 0, forecast_usd: 2200 });
      // Far ahead: the same profile, and the fallback band (no past horizon that long): ±50 %.
      const far = await forecast(`month=2100-12&team_id=${weekdays.id}`).expect(200);
      expect(far.body.teams[0]).toMatchObject({ forecast_usd: 2300, forecast_low_usd: 1150, forecast_high_usd: 3450 });
      const february = await forecast(`month=2026-02&team_id=${weekdays.id}`).expect(200);
      expect(february.body.as_of).toBe('2026-02-28');
      expect(february.body.teams[0]).toMatchObject({
        spend_to_date_usd: 2000,
        forecast_usd: 2000,
        forecast_low_usd: 2000,
        forecast_high_usd: 2000,
        method: 'complete',
      });
    });

    it("shows a member its own team only and refuses another team's", async () => {
      const member = (await memberAuth(t, weekdays.id)).header;
      const res = await forecast('month=2026-03', member).expect(200);
      expect(res.body.teams.map((r: { team_id: string }) => r.team_id)).toEqual([weekdays.id]);
      const other = await forecast(`month=2026-03&team_id=${noisy.id}`, member).expect(403);
      expectErrorShape(other.body, 403);
    });

    it('refuses a missing or malformed month, naming it', async () => {
      for (const query of ['', 'month=2026-13', 'month=2026-3']) {
        const res = await forecast(query).expect(400);
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain('month');
      }
    });
  });
});
