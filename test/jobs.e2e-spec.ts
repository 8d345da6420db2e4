import { expectErrorShape } from './support/expectations';
import { adminAuth, createJob, createTeam, memberAuth, TeamRow } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

describe('Jobs API', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await createTestApp();
    admin = (await adminAuth(t)).header;
  });
  afterAll(() => t.close());

  const list = (query: Record<string, string | number>, auth = admin) =>
    t.http.get('/api/v1/jobs').query(query).set('Authorization', auth);

  /** A team with `n` jobs an hour apart, starting 2026-01-01T00:00Z, job ids padded so they sort. */
  async function teamWithJobs(n: number, over: Parameters<typeof createJob>[2] = {}): Promise<TeamRow> {
    const team = await createTeam(t.db);
    for (let i = 0; i < n; i++) {
      const start = new Date(Date.UTC(2026, 0, 1, i));
      await createJob(t.db, team.id, {
        job_id: `${team.name}-${String(i).padStart(3, '0')}`,
        start_time: start.toISOString(),
        end_time: new Date(start.getTime() + 2 * 3600_000).toISOString(),
        ...over,
      });
    }
    return team;
  }

  describe('listing', () => {
    it('answers {jobs, total, skip, limit, has_more} with team_name, gpu_count, duration and GPU-hours', async () => {
      const team = await createTeam(t.db, { name: 'speech' });
      await createJob(t.db, team.id, {
        job_id: 'speech-1',
        gpu_count: 8,
        start_time: '2026-01-03T00:00:00Z',
        end_time: '2026-01-03T10:30:00Z',
      });
      const res = await list({ team_id: team.id }).expect(200);
      expect(res.body).toEqual({
        jobs: [expect.any(Object)],
        total: 1,
        total_exact: true,
        skip: 0,
        limit: 50,
        has_more: false,
        next_cursor: null,
      });
      expect(res.body.jobs[0]).toEqual({
        id: expect.any(String),
        job_id: 'speech-1',
        team_id: team.id,
        team_name: 'speech',
        model_name: 'llama-3-8b',
        provider: 'aws',
        gpu_type: 'a100',
        gpu_count: 8,
        start_time: '2026-01-03T00:00:00.000Z',
        end_time: '2026-01-03T10:30:00.000Z',
        status: 'completed',
        duration_hours: 10.5,
        gpu_hours: 84,
        labels: {},
        gpu_utilization: null,
      });
    });

    it('orders by start_time descending, ties by job_id, and ascending with sort=start_time', async () => {
      const team = await createTeam(t.db);
      await createJob(t.db, team.id, {
        job_id: 'b',
        start_time: '2026-01-02T00:00:00Z',
        end_time: null,
        status: 'running',
      });
      await createJob(t.db, team.id, {
        job_id: 'a',
        start_time: '2026-01-02T00:00:00Z',
        end_time: null,
        status: 'running',
      });
      await createJob(t.db, team.id, {
        job_id: 'c',
        start_time: '2026-01-05T00:00:00Z',
        end_time: '2026-01-05T01:00:00Z',
      });
      const desc = await list({ team_id: team.id }).expect(200);
      expect(desc.body.jobs.map((j: { job_id: string }) => j.job_id)).toEqual(['c', 'b', 'a']);
      const asc = await list({ team_id: team.id, sort: 'start_time' }).expect(200);
      expect(asc.body.jobs.map((j: { job_id: string }) => j.job_id)).toEqual(['a', 'b', 'c']);
    });

    it('measures a running job up to now', async () => {
      const team = await createTeam(t.db);
      const start = new Date(Date.now() - 3 * 3600_000).toISOString();
      await createJob(t.db, team.id, { gpu_count: 2, start_time: start, end_time: null, status: 'running' });
      const [job] = (await list({ team_id: team.id }).expect(200)).body.jobs;
      expect(job.end_time).toBeNull();
      expect(job.duration_hours).toBeCloseTo(3, 1);
      expect(job.gpu_hours).toBeCloseTo(6, 1);
    });

    it('gives a queued job no duration and no GPU-hours: it has not started', async () => {
      const team = await createTeam(t.db);
      const submitted = new Date(Date.now() - 5 * 3600_000).toISOString();
      await createJob(t.db, team.id, { gpu_count: 4, start_time: submitted, end_time: null, status: 'queued' });
      const [job] = (await list({ team_id: team.id }).expect(200)).body.jobs;
      expect(job.duration_hours).toBe(0);
      expect(job.gpu_hours).toBe(0);
    });
  });

  describe('filters', () => {
    let team: TeamRow;
    beforeAll(async () => {
      team = await createTeam(t.db);
      const job = (job_id: string, over: Parameters<typeof createJob>[2]) =>
        createJob(t.db, team.id, { job_id, ...over });
      await job('f-aws-h100', { provider: 'aws', gpu_type: 'h100', model_name: 'Llama 3', status: 'completed' });
      await job('f-gcp-a100', { provider: 'gcp', gpu_type: 'a100', model_name: 'bert', status: 'failed' });
      await job('f-cancelled', { provider: 'gcp', gpu_type: 'h100', model_name: 'bert', status: 'cancelled' });
      await job('f-jan-01', { start_time: '2026-01-01T22:00:00Z', end_time: '2026-01-02T02:00:00Z' });
      await job('f-jan-10', { start_time: '2026-01-10T00:00:00Z', end_time: '2026-01-10T05:00:00Z' });
      await job('f-running', { start_time: '2025-12-20T00:00:00Z', end_time: null, status: 'running' });
      await job('f-queued', {
        provider: 'aws',
        gpu_type: 'a100',
        model_name: 'queued-model',
        start_time: '2026-01-05T12:00:00Z',
        end_time: null,
        status: 'queued',
      });
    });
    const ids = async (query: Record<string, string>) =>
      (await list({ team_id: team.id, ...query }).expect(200)).body.jobs
        .map((j: { job_id: string }) => j.job_id)
        .sort();

    it('filters by provider and gpu_type, normalised like ingested data', async () => {
      expect(await ids({ provider: ' GCP ', gpu_type: 'H100' })).toEqual(['f-cancelled']);
    });

    it('filters by status, accepting the common spellings', async () => {
      expect(await ids({ status: 'Canceled' })).toEqual(['f-cancelled']);
      expect(await ids({ status: 'failed' })).toEqual(['f-gcp-a100']);
    });

    it('filters by model_name (trimmed, case kept)', async () => {
      expect(await ids({ model_name: ' Llama 3 ' })).toEqual(['f-aws-h100']);
      expect(await ids({ model_name: 'llama 3' })).toEqual([]);
    });

    it('keeps jobs whose run overlaps the start..end UTC dates, inclusive, running jobs too', async () => {
      expect(await ids({ start: '2026-01-02', end: '2026-01-02' })).toEqual(['f-jan-01', 'f-running']);
      expect(await ids({ start: '2026-01-10', end: '2026-01-10' })).toEqual(['f-jan-10', 'f-running']);
      expect(await ids({ end: '2025-12-31' })).toEqual(['f-running']);
    });

    it('lists a queued job in the window of its start only, and a running job up to now, not in windows to come', async () => {
      expect(await ids({ start: '2026-01-05', end: '2026-01-05' })).toEqual(['f-queued', 'f-running']);
      expect(await ids({ start: '2026-01-06', end: '2026-01-31' })).toEqual(['f-jan-10', 'f-running']);
      expect(await ids({ start: '2100-01-01' })).toEqual([]);
    });
  });

  describe('a window listed in order', () => {
    // Each way into the window 2026-01-02..03 once, and the jobs just outside it.
    let team: TeamRow;
    const inWindowOldestFirst = ['w-running-since-june', 'w-eight-days', 'w-inside', 'w-queued-inside'];
    beforeAll(async () => {
      team = await createTeam(t.db);
      const job = (job_id: string, over: Parameters<typeof createJob>[2]) =>
        createJob(t.db, team.id, { job_id, ...over });
      await job('w-running-since-june', { start_time: '2025-06-01T00:00:00Z', end_time: null, status: 'running' });
      await job('w-eight-days', { start_time: '2025-12-25T00:00:00Z', end_time: '2026-01-02T12:00:00Z' });
      await job('w-ended-before', { start_time: '2026-01-01T00:00:00Z', end_time: '2026-01-01T05:00:00Z' });
      await job('w-inside', { start_time: '2026-01-02T10:00:00Z', end_time: '2026-01-02T11:00:00Z' });
      await job('w-queued-inside', { start_time: '2026-01-02T20:00:00Z', end_time: null, status: 'queued' });
      await job('w-queued-before', { start_time: '2026-01-01T20:00:00Z', end_time: null, status: 'queued' });
      await job('w-after', { start_time: '2026-01-04T00:00:00Z', end_time: '2026-01-04T01:00:00Z' });
    });

    it.each([
      ['start_time', inWindowOldestFirst],
      ['-start_time', [...inWindowOldestFirst].reverse()],
    ])(
      'merges finished, running and queued jobs in start order (sort=%s), by skip and by cursor',
      async (sort, order) => {
        const query = { team_id: team.id, start: '2026-01-02', end: '2026-01-03', sort };
        const whole = await list({ ...query, limit: 10 }).expect(200);
        expect(whole.body.jobs.map((j: { job_id: string }) => j.job_id)).toEqual(order);
        expect(whole.body).toMatchObject({ total: 4, total_exact: true, has_more: false });
        const second = await list({ ...query, limit: 1, skip: 1 }).expect(200);
        expect(second.body.jobs.map((j: { job_id: string }) => j.job_id)).toEqual([order[1]]);
        const byCursor: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Record<string, string | number> = { ...query, limit: 1 };
          if (cursor) page.cursor = cursor;
          const res = await list(page).expect(200);
          expect(res.body.total).toBe(4);
          byCursor.push(...res.body.jobs.map((j: { job_id: string }) => j.job_id));
          cursor = res.body.next_cursor;
        } while (cursor && byCursor.length < 10);
        expect(byCursor).toEqual(order);
      },
    );
  });

  describe('pagination', () => {
    it('pages with skip/limit; has_more is false on the last page of an exact multiple', async () => {
      const team = await teamWithJobs(6);
      const first = await list({ team_id: team.id, limit: 3 }).expect(200);
      expect(first.body).toMatchObject({ total: 6, skip: 0, limit: 3, has_more: true });
      const last = await list({ team_id: team.id, limit: 3, skip: 3 }).expect(200);
      expect(last.body).toMatchObject({ total: 6, skip: 3, has_more: false, next_cursor: null });
      expect(last.body.jobs).toHaveLength(3);
    });

    it('answers an empty page past the end, with the total', async () => {
      const team = await teamWithJobs(2);
      const res = await list({ team_id: team.id, skip: 10 }).expect(200);
      expect(res.body).toMatchObject({ jobs: [], total: 2, skip: 10, has_more: false, next_cursor: null });
    });

    it.each([['-start_time'], ['start_time']])(
      'walks the same rows by cursor as by skip/limit (sort=%s)',
      async (sort) => {
        const team = await teamWithJobs(7);
        // Two jobs at one instant: the order must still be total.
        await createJob(t.db, team.id, {
          job_id: `${team.name}-tie`,
          start_time: '2026-01-01T03:00:00Z',
          end_time: '2026-01-01T04:00:00Z',
        });
        const bySkip: string[] = [];
        for (let skip = 0; skip < 8; skip += 3)
          bySkip.push(
            ...(await list({ team_id: team.id, sort, limit: 3, skip }).expect(200)).body.jobs.map(
              (j: { job_id: string }) => j.job_id,
            ),
          );
        const byCursor: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const query: Record<string, string | number> = { team_id: team.id, sort, limit: 3 };
          if (cursor) query.cursor = cursor;
          const res = await list(query).expect(200);
          expect(res.body.total).toBe(8);
          byCursor.push(...res.body.jobs.map((j: { job_id: string }) => j.job_id));
          expect(res.body.has_more).toBe(res.body.next_cursor !== null);
          cursor = res.body.next_cursor;
          pages++;
        } while (cursor && pages < 10);
        expect(pages).toBe(3);
        expect(byCursor).toEqual(bySkip);
        expect(new Set(byCursor).size).toBe(8);
      },
    );

    it('reports total as exact for a small result', async () => {
      const team = await teamWithJobs(1);
      expect((await list({ team_id: team.id }).expect(200)).body).toMatchObject({ total: 1, total_exact: true });
    });
  });

  describe('invalid query parameters', () => {
    it.each([
      ['skip', { skip: '-1' }],
      ['skip', { skip: 'abc' }],
      ['limit', { limit: '0' }],
      ['limit', { limit: '101' }],
      ['limit', { limit: '1.5' }],
      ['team_id', { team_id: 'not-a-uuid' }],
      ['status', { status: 'exploded' }],
      ['provider', { provider: '  ' }],
      ['start', { start: '2026-1-1' }],
      ['start', { start: '2026-02-30' }],
      ['end', { start: '2026-01-05', end: '2026-01-04' }],
      ['sort', { sort: 'cost' }],
      ['cursor', { cursor: 'garbage' }],
      [
        'skip',
        {
          skip: '3',
          cursor: Buffer.from('{"o":"desc","t":"2026-01-01T00:00:00.000000Z","j":"x"}').toString('base64url'),
        },
      ],
      [
        'cursor',
        {
          sort: 'start_time',
          cursor: Buffer.from('{"o":"desc","t":"2026-01-01T00:00:00.000000Z","j":"x"}').toString('base64url'),
        },
      ],
      ['colour', { colour: 'blue' }],
    ])('answers 400 naming %s for %j', async (field, query) => {
      const res = await list(query).expect(400);
      expectErrorShape(res.body, 400);
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });

    it('answers 400 for a repeated parameter', async () => {
      const res = await t.http.get('/api/v1/jobs?limit=5&limit=6').set('Authorization', admin).expect(400);
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'limit' })]);
    });
  });

  describe('GET /jobs/:job_id', () => {
    it('returns the job', async () => {
      const team = await createTeam(t.db);
      await createJob(t.db, team.id, { job_id: 'one/with spaces' });
      const res = await t.http
        .get(`/api/v1/jobs/${encodeURIComponent('one/with spaces')}`)
        .set('Authorization', admin)
        .expect(200);
      expect(res.body).toMatchObject({ job_id: 'one/with spaces', team_id: team.id, team_name: team.name });
    });

    it('answers 404 in the common shape for an unknown job', async () => {
      const res = await t.http.get('/api/v1/jobs/no-such-job').set('Authorization', admin).expect(404);
      expectErrorShape(res.body, 404);
    });
  });

  describe('member scoping', () => {
    let a: TeamRow;
    let b: TeamRow;
    let memberA: string;
    beforeAll(async () => {
      a = await teamWithJobs(3, { model_name: 'scoped-model' });
      b = await teamWithJobs(4, { model_name: 'scoped-model' });
      memberA = (await memberAuth(t, a.id)).header;
    });

    it("lists only the member's team, and counts only it in total", async () => {
      const res = await list({ model_name: 'scoped-model' }, memberA).expect(200);
      expect(res.body.total).toBe(3);
      expect(res.body.jobs.every((j: { team_id: string }) => j.team_id === a.id)).toBe(true);
      const all = await list({}, memberA).expect(200);
      expect(all.body.jobs.every((j: { team_id: string }) => j.team_id === a.id)).toBe(true);
      expect(all.body.total).toBe(3);
    });

    it('accepts a member filtering on its own team_id', async () => {
      const res = await list({ team_id: a.id }, memberA).expect(200);
      expect(res.body.total).toBe(3);
    });

    it("refuses a member's team_id filter for another team with 403", async () => {
      const res = await list({ team_id: b.id }, memberA).expect(403);
      expectErrorShape(res.body, 403);
      expect(JSON.stringify(res.body)).not.toContain(`${b.name}-`);
    });

    it("answers 404 for another team's job, as for one that does not exist", async () => {
      const res = await t.http.get(`/api/v1/jobs/${b.name}-000`).set('Authorization', memberA).expect(404);
      expectErrorShape(res.body, 404);
      await t.http.get(`/api/v1/jobs/${a.name}-000`).set('Authorization', memberA).expect(200);
    });

    it('lets an admin see every team', async () => {
      const res = await list({ model_name: 'scoped-model' }).expect(200);
      expect(res.body.total).toBe(7);
    });
  });
});
