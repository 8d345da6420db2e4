import { AllocationService } from '../src/allocation/allocation.service';
import { Writable } from 'node:stream';
import { FOCUS_COLUMNS, FocusExportService } from '../src/analytics/focus-export.service';
import { ClientAbortedError } from '../src/common/errors/client-aborted';
import { expectErrorShape, unmeasured } from './support/expectations';
import {
  adminAuth,
  createJob,
  createSnapshot,
  createTeam,
  jobIntervals,
  memberAuth,
  TeamRow,
} from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Data (all completed jobs):
 *  2026-01-03 aws/h100 $900: vision 8 GPUs × 10 h (llama) → $720; nlp 4 × 5 h (bert) → $180
 *  2026-01-03 aws/a100 $300, no jobs → idle
 *  2026-01-04 gcp/a100 $50: nlp 1 GPU 22:00 on 01-03 → 02:00 on 01-04 (bert) → $50 on 01-04;
 *             its 2 GPU-hours of 01-03 have no snapshot: unpriced
 *  2026-01-05 aws/h100 no snapshot: vision 2 GPUs × 3 h (llama) → 6 more unpriced GPU-hours
 */
describe('Analytics endpoints', () => {
  let t: TestApp;
  let admin: string;
  let member: string;
  let vision: TeamRow;
  let nlp: TeamRow;
  const range = 'start=2026-01-01&end=2026-01-31';

  beforeAll(async () => {
    t = await createTestApp();
    vision = await createTeam(t.db, { name: 'vision', budget_usd: 1000 });
    nlp = await createTeam(t.db, { name: 'nlp', budget_usd: null });
    const jobs = [
      await createJob(t.db, vision.id, {
        job_id: 'v1',
        model_name: 'llama',
        gpu_type: 'h100',
        gpu_count: 8,
        start_time: '2026-01-03T00:00:00Z',
        end_time: '2026-01-03T10:00:00Z',
      }),
      await createJob(t.db, nlp.id, {
        job_id: 'n1',
        model_name: 'bert',
        gpu_type: 'h100',
        gpu_count: 4,
        start_time: '2026-01-03T10:00:00Z',
        end_time: '2026-01-03T15:00:00Z',
        status: 'failed',
      }),
      await createJob(t.db, nlp.id, {
        job_id: 'n2',
        model_name: 'bert',
        provider: 'gcp',
        gpu_type: 'a100',
        start_time: '2026-01-03T22:00:00Z',
        end_time: '2026-01-04T02:00:00Z',
      }),
      await createJob(t.db, vision.id, {
        job_id: 'v2',
        model_name: 'llama',
        gpu_type: 'h100',
        gpu_count: 2,
        start_time: '2026-01-05T00:00:00Z',
        end_time: '2026-01-05T03:00:00Z',
      }),
    ];
    await createSnapshot(t.db, { entry_date: '2026-01-03', gpu_type: 'h100', cost_usd: 900 });
    await createSnapshot(t.db, { entry_date: '2026-01-03', gpu_type: 'a100', cost_usd: 300 });
    await createSnapshot(t.db, { entry_date: '2026-01-04', provider: 'gcp', gpu_type: 'a100', cost_usd: 50 });
    const allocation = t.app.get(AllocationService);
    await t.db.transaction(async (m) => {
      await allocation.markJobsChanged(m, jobIntervals(jobs));
      await allocation.markSnapshotsChanged(m, [{ day: '2026-01-03', provider: 'aws', gpuType: 'a100' }]);
    });
    // Reads refresh marked cells themselves.
    admin = (await adminAuth(t)).header;
    member = (await memberAuth(t, nlp.id)).header;
  });
  afterAll(() => t.close());

  describe('by-team and by-model', () => {
    it('answers cost per team, cost descending, in the documented shape', async () => {
      const res = await t.http.get(`/api/v1/analytics/cost/by-team?${range}`).set('Authorization', admin).expect(200);
      expect(res.body).toEqual(
        [
          {
            team_name: 'vision',
            team_id: vision.id,
            total_cost_usd: 720,
            job_count: 2,
            gpu_hours: 86,
            share_pct: 75.79,
            start_date: '2026-01-01',
            end_date: '2026-01-31',
          },
          {
            team_name: 'nlp',
            team_id: nlp.id,
            total_cost_usd: 230,
            job_count: 2,
            gpu_hours: 24,
            share_pct: 24.21,
            start_date: '2026-01-01',
            end_date: '2026-01-31',
          },
        ].map(unmeasured),
      );
    });

    it('answers cost per model, cost descending', async () => {
      const res = await t.http.get(`/api/v1/analytics/cost/by-model?${range}`).set('Authorization', admin).expect(200);
      expect(
        res.body.map((r: { model_name: string; total_cost_usd: number; job_count: number }) => [
          r.model_name,
          r.total_cost_usd,
          r.job_count,
        ]),
      ).toEqual([
        ['llama', 720, 2],
        ['bert', 230, 2],
      ]);
    });

    it('counts only the days inside the range, and a job across midnight once', async () => {
      const res = await t.http
        .get('/api/v1/analytics/cost/by-team?start=2026-01-04&end=2026-01-04')
        .set('Authorization', admin)
        .expect(200);
      expect(res.body).toEqual([
        expect.objectContaining({ team_name: 'nlp', total_cost_usd: 50, job_count: 1, gpu_hours: 2 }),
      ]);
      const both = await t.http
        .get('/api/v1/analytics/cost/by-model?start=2026-01-03&end=2026-01-04')
        .set('Authorization', admin)
        .expect(200);
      expect(both.body.find((r: { model_name: string }) => r.model_name === 'bert').job_count).toBe(2);
    });

    it("shows a member only its own team's cost", async () => {
      const teams = await t.http
        .get(`/api/v1/analytics/cost/by-team?${range}`)
        .set('Authorization', member)
        .expect(200);
      expect(teams.body.map((r: { team_name: string }) => r.team_name)).toEqual(['nlp']);
      const models = await t.http
        .get(`/api/v1/analytics/cost/by-model?${range}`)
        .set('Authorization', member)
        .expect(200);
      expect(models.body.map((r: { model_name: string }) => r.model_name)).toEqual(['bert']);
    });

    it('refuses an anonymous caller', async () => {
      await t.http.get(`/api/v1/analytics/cost/by-team?${range}`).expect(401);
    });
  });

  describe('date validation', () => {
    const cases: [string, string][] = [
      ['end=2026-01-31', 'start'],
      ['start=2026-01-01', 'end'],
      ['start=2026-02-30&end=2026-03-01', 'start'],
      ['start=2026-1-5&end=2026-03-01', 'start'],
      ['start=2026-01-10&end=2026-01-09', 'end'],
      ['start=2025-01-01&end=2026-01-02', 'end'],
    ];
    it.each(cases)('answers 400 naming the parameter for %s', async (query, field) => {
      const res = await t.http.get(`/api/v1/analytics/cost/by-team?${query}`).set('Authorization', admin).expect(400);
      expectErrorShape(res.body, 400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    });

    it('accepts a span of exactly 366 days', async () => {
      await t.http
        .get('/api/v1/analytics/cost/by-team?start=2027-03-01&end=2028-02-29')
        .set('Authorization', admin)
        .expect(200);
    });
  });

  describe('GET /analytics/cost', () => {
    it('returns totals that conserve the snapshots: allocated + unallocated = total', async () => {
      const res = await t.http
        .get(`/api/v1/analytics/cost?${range}&group_by=provider,gpu_type`)
        .set('Authorization', admin)
        .expect(200);
      expect(res.body.totals).toEqual(
        unmeasured({
          allocated_usd: 950,
          unallocated_usd: 300,
          total_usd: 1250,
          gpu_hours: 110,
          unpriced_gpu_hours: 8,
        }),
      );
      expect(res.body.group_by).toEqual(['provider', 'gpu_type']);
      expect(res.body.rows).toEqual(
        [
          { provider: 'aws', gpu_type: 'h100', cost_usd: 900, gpu_hours: 106, unpriced_gpu_hours: 6, job_count: 3 },
          { provider: 'gcp', gpu_type: 'a100', cost_usd: 50, gpu_hours: 4, unpriced_gpu_hours: 2, job_count: 1 },
        ].map(unmeasured),
      );
    });

    it('groups by day by default, in date order', async () => {
      const res = await t.http.get(`/api/v1/analytics/cost?${range}`).set('Authorization', admin).expect(200);
      expect(res.body.rows.map((r: { day: string; cost_usd: number }) => [r.day, r.cost_usd])).toEqual([
        ['2026-01-03', 900],
        ['2026-01-04', 50],
        ['2026-01-05', 0],
      ]);
    });

    it('groups by team and month with distinct job counts', async () => {
      const res = await t.http
        .get(`/api/v1/analytics/cost?${range}&group_by=month,team`)
        .set('Authorization', admin)
        .expect(200);
      expect(res.body.rows).toEqual(
        [
          {
            month: '2026-01',
            team_id: vision.id,
            team_name: 'vision',
            cost_usd: 720,
            gpu_hours: 86,
            unpriced_gpu_hours: 6,
            job_count: 2,
          },
          {
            month: '2026-01',
            team_id: nlp.id,
            team_name: 'nlp',
            cost_usd: 230,
            gpu_hours: 24,
            unpriced_gpu_hours: 2,
            job_count: 2,
          },
        ].map(unmeasured),
      );
    });

    it('groups by team and model, also under a model filter and for a member, counting a job across midnight once', async () => {
      const nlpBert = unmeasured({
        team_id: nlp.id,
        team_name: 'nlp',
        model_name: 'bert',
        cost_usd: 230,
        gpu_hours: 24,
        unpriced_gpu_hours: 2,
        job_count: 2,
      });
      const all = await t.http
        .get(`/api/v1/analytics/cost?${range}&group_by=team,model`)
        .set('Authorization', admin)
        .expect(200);
      expect(all.body.rows).toEqual([
        unmeasured({
          team_id: vision.id,
          team_name: 'vision',
          model_name: 'llama',
          cost_usd: 720,
          gpu_hours: 86,
          unpriced_gpu_hours: 6,
          job_count: 2,
        }),
        nlpBert,
      ]);
      const bert = await t.http
        .get('/api/v1/analytics/cost?start=2026-01-03&end=2026-01-04&group_by=team,model&model_name=bert')
        .set('Authorization', admin)
        .expect(200);
      expect(bert.body.rows).toEqual([nlpBert]);
      expect(bert.body.totals).toMatchObject({ allocated_usd: 230, unallocated_usd: 0, total_usd: 230 });
      const mine = await t.http
        .get(`/api/v1/analytics/cost?${range}&group_by=model`)
        .set('Authorization', member)
        .expect(200);
      expect(mine.body.rows).toEqual([
        unmeasured({ model_name: 'bert', cost_usd: 230, gpu_hours: 24, unpriced_gpu_hours: 2, job_count: 2 }),
      ]);
    });

    it('applies the jobs filters (status, model) and leaves idle cost out of filtered totals', async () => {
      const res = await t.http
        .get(`/api/v1/analytics/cost?${range}&group_by=week&status=failed`)
        .set('Authorization', admin)
        .expect(200);
      expect(res.body.rows).toEqual([
        unmeasured({ week: '2025-12-29', cost_usd: 180, gpu_hours: 20, unpriced_gpu_hours: 0, job_count: 1 }),
      ]);
      expect(res.body.totals).toMatchObject({ allocated_usd: 180, unallocated_usd: 0, total_usd: 180 });
    });

    it('reads status, provider and gpu_type as the jobs listing and ingestion do', async () => {
      const report = async (query: string) =>
        (
          await t.http
            .get(`/api/v1/analytics/cost?${range}&group_by=model&${query}`)
            .set('Authorization', admin)
            .expect(200)
        ).body as { rows: unknown[] };
      const completed = await report('status=completed');
      expect(completed.rows.length).toBeGreaterThan(0);
      for (const spelling of ['succeeded', 'Success', '%20done%20']) {
        expect(await report(`status=${spelling}`)).toEqual(completed);
      }
      expect(await report('status=canceled')).toEqual(await report('status=cancelled'));
      expect(await report('provider=%20AWS%20&gpu_type=H100')).toEqual(await report('provider=aws&gpu_type=h100'));
    });

    it('refuses an unknown dimension, more than three, and an unknown parameter', async () => {
      for (const q of ['group_by=colour', 'group_by=day,week,month,team', 'colour=red']) {
        const res = await t.http.get(`/api/v1/analytics/cost?${range}&${q}`).set('Authorization', admin).expect(400);
        expectErrorShape(res.body, 400);
      }
    });

    it('scopes a member to its team, in rows and totals, and refuses another team', async () => {
      const res = await t.http
        .get(`/api/v1/analytics/cost?${range}&group_by=team`)
        .set('Authorization', member)
        .expect(200);
      expect(res.body.rows.map((r: { team_name: string }) => r.team_name)).toEqual(['nlp']);
      expect(res.body.totals).toMatchObject({ allocated_usd: 230, unallocated_usd: 0, total_usd: 230 });
      await t.http.get(`/api/v1/analytics/cost?${range}&team_id=${vision.id}`).set('Authorization', member).expect(403);
      // A UUID is the same in either case: the member's own team, written in capitals, is its own.
      const own = await t.http
        .get(`/api/v1/analytics/cost?${range}&group_by=team&team_id=${nlp.id.toUpperCase()}`)
        .set('Authorization', member)
        .expect(200);
      expect(own.body.totals).toMatchObject({ total_usd: 230 });
    });

    it('downloads the rows as CSV with format=csv or Accept: text/csv', async () => {
      const res = await t.http
        .get(`/api/v1/analytics/cost?${range}&group_by=team&format=csv`)
        .set('Authorization', admin)
        .expect(200);
      expect(res.headers['content-type']).toMatch(/text\/csv/);
      expect(res.headers['content-disposition']).toMatch(/attachment/);
      expect(res.text.split('\n')[0]).toBe(
        'team_id,team_name,cost_usd,gpu_hours,unpriced_gpu_hours,job_count,used_cost_usd,waste_usd,unmeasured_cost_usd,efficiency',
      );
      expect(res.text).toContain(`${vision.id},vision,720,86,6,2,0,0,720,`);
      const byHeader = await t.http
        .get(`/api/v1/analytics/cost?${range}`)
        .set('Authorization', admin)
        .set('Accept', 'text/csv')
        .expect(200);
      expect(byHeader.text.split('\n')[0]).toBe(
        'day,cost_usd,gpu_hours,unpriced_gpu_hours,job_count,used_cost_usd,waste_usd,unmeasured_cost_usd,efficiency',
      );
    });
  });

  describe('the job filters: the same values and the same refusals on /jobs and /analytics/cost', () => {
    const routes = ['/api/v1/jobs', '/api/v1/analytics/cost'];

    it.each(routes)('%s accepts every status spelling ingestion accepts', async (route) => {
      for (const status of ['succeeded', 'COMPLETED', 'canceled', 'pending', 'errored']) {
        await t.http.get(`${route}?${range}&status=${status}`).set('Authorization', admin).expect(200);
      }
    });

    it.each(
      routes.flatMap((route) =>
        [
          ['status', 'status=exploded'],
          ['team_id', 'team_id=not-a-uuid'],
          ['provider', 'provider=%20%20'],
          ['gpu_type', `gpu_type=${'x'.repeat(201)}`],
          ['model_name', 'model_name='],
          ['start', 'start=2026-02-30&end=2026-03-01'],
          ['end', 'start=2026-01-05&end=2026-01-04'],
        ].map(([field, query]) => [route, field, query]),
      ),
    )('%s answers 400 naming %s for %s', async (route, field, query) => {
      const res = await t.http.get(`${route}?${query}`).set('Authorization', admin).expect(400);
      expectErrorShape(res.body, 400);
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });

    it('names the same status values in both refusals', async () => {
      const messages = await Promise.all(
        routes.map(async (route) => {
          const res = await t.http.get(`${route}?${range}&status=exploded`).set('Authorization', admin).expect(400);
          return (res.body as { details: { field: string; message: string }[] }).details.find(
            (d) => d.field === 'status',
          )?.message;
        }),
      );
      expect(messages[0]).toContain('succeeded');
      expect(messages[1]).toBe(messages[0]);
    });
  });

  describe('FOCUS export', () => {
    it('streams one FOCUS row per job-day with the FOCUS header', async () => {
      const res = await t.http
        .get(`/api/v1/analytics/cost/export?${range}&format=focus`)
        .set('Authorization', admin)
        .expect(200);
      expect(res.headers['content-type']).toMatch(/text\/csv/);
      const lines = res.text.trim().split('\n');
      expect(lines[0]).toBe(FOCUS_COLUMNS.join(','));
      expect(lines).toHaveLength(1 + 5);
      const v1 = lines.find((l) => l.includes(',v1,'))!.split(',');
      const col = (name: string) => v1[FOCUS_COLUMNS.indexOf(name as (typeof FOCUS_COLUMNS)[number])];
      expect(col('ChargePeriodStart')).toBe('2026-01-03T00:00:00Z');
      expect(col('ChargePeriodEnd')).toBe('2026-01-04T00:00:00Z');
      expect(Number(col('BilledCost'))).toBe(720);
      expect(col('ProviderName')).toBe('aws');
      expect(Number(col('ConsumedQuantity'))).toBe(80);
      expect(col('x_TeamName')).toBe('vision');
    });

    // Before, the export waited for its CSV to drain or end, which never came once nobody read it:
    // the request (or `npm run archive`) hung, holding its rows.
    it('stops, and says why, when what it writes to goes away or fails', async () => {
      const focus = t.app.get(FocusExportService);
      const gone: Writable = new Writable({
        write(_chunk, _encoding, done) {
          done();
          setImmediate(() => gone.destroy());
        },
      });
      await expect(focus.write(gone, '2026-01-01', '2026-01-31', undefined)).rejects.toBeInstanceOf(ClientAbortedError);
      const full = new Writable({
        write(_chunk, _encoding, done) {
          done(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
        },
      });
      await expect(focus.writeClosedMonths(full, '2026-01-01', '2026-01-31')).rejects.toMatchObject({ code: 'ENOSPC' });
    }, 15_000);

    it("exports only the member's team", async () => {
      const res = await t.http.get(`/api/v1/analytics/cost/export?${range}`).set('Authorization', member).expect(200);
      expect(res.text).not.toContain('vision');
      expect(res.text.trim().split('\n')).toHaveLength(1 + 3);
    });
  });

  describe('GET /jobs/:job_id daily cost', () => {
    it("lists a job's cost per UTC day, across midnight", async () => {
      const res = await t.http.get('/api/v1/jobs/n2').set('Authorization', admin).expect(200);
      expect(res.body.daily_costs).toEqual([
        { date: '2026-01-03', gpu_hours: 2, cost_usd: 0 },
        { date: '2026-01-04', gpu_hours: 2, cost_usd: 50 },
      ]);
    });

    it("keeps another team's job hidden from a member", async () => {
      await t.http.get('/api/v1/jobs/v1').set('Authorization', member).expect(404);
    });
  });

  describe('budgets', () => {
    it('reports spend, % used, forecast and status, and says when a team has no budget', async () => {
      const res = await t.http.get('/api/v1/analytics/budgets?month=2026-01').set('Authorization', admin).expect(200);
      // Data on 3 days (01-03, 01-04, 01-05), billed on 2 (as of 01-04). Two days of history are
      // too few for a weekday profile: the daily mean × the 27 days left.
      // vision: 720 + 360 × 27 = 10440; nlp: 230 + 115 × 27 = 3335.
      expect(res.body).toMatchObject({ month: '2026-01', days_in_month: 31, days_with_data: 3 });
      expect(res.body.teams).toEqual([
        {
          team_id: vision.id,
          team_name: 'vision',
          budget_usd: 1000,
          spend_usd: 720,
          pct_used: 72,
          forecast_usd: 10440,
          status: 'warning',
        },
        {
          team_id: nlp.id,
          team_name: 'nlp',
          budget_usd: null,
          spend_usd: 230,
          pct_used: null,
          forecast_usd: 3335,
          status: 'no_budget',
        },
      ]);
    });

    it('shows a member its own team only, and refuses a malformed month', async () => {
      const res = await t.http.get('/api/v1/analytics/budgets?month=2026-01').set('Authorization', member).expect(200);
      expect(res.body.teams.map((b: { team_name: string }) => b.team_name)).toEqual(['nlp']);
      const bad = await t.http.get('/api/v1/analytics/budgets?month=2026-13').set('Authorization', admin).expect(400);
      expect(bad.body.details[0].field).toBe('month');
    });

    it('defaults to the current month', async () => {
      const res = await t.http.get('/api/v1/analytics/budgets').set('Authorization', admin).expect(200);
      expect(res.body.month).toBe(new Date().toISOString().slice(0, 7));
    });
  });
});
