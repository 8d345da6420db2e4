import { Client } from 'pg';
import { adminAuth, API_KEY, jobPayload, toNdjson } from './support/factories';
import { within } from './support/deadline';
import { createTestApp, TestApp } from './support/test-app';

/** Jobs over 12 teams, with fixed content, so any overlap between payloads carries identical records. */
function pool(size: number, prefix: string): Record<string, unknown>[] {
  return Array.from({ length: size }, (_, i) =>
    jobPayload({
      job_id: `${prefix}-${String(i).padStart(6, '0')}`,
      team_name: `${prefix}-team-${i % 12}`,
      model_name: `model-${i % 7}`,
      gpu_type: i % 2 ? 'a100' : 'h100',
      gpu_count: (i % 8) + 1,
      start_time: new Date(Date.UTC(2026, 0, 1 + (i % 28), i % 24)).toISOString(),
      end_time: new Date(Date.UTC(2026, 0, 1 + (i % 28), i % 24, 30 + (i % 600))).toISOString(),
    }),
  );
}

describe('Ingestion: concurrency and volume', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const state = () =>
    t.db.query(
      `SELECT j.job_id, t.name AS team, j.model_name, j.gpu_type, j.gpu_count::text, j.start_time, j.end_time, j.status
         FROM jobs j JOIN teams t ON t.id = j.team_id WHERE j.job_id LIKE 'conc-%' ORDER BY j.job_id`,
    );

  it('names a team renamed while the upload named its teams as a new team, instead of failing with a 500', async () => {
    const [alpha] = await t.db.query<{ id: string }[]>(
      `INSERT INTO teams (name) VALUES ('rename-race-a') RETURNING id`,
    );
    // Another upload creating a team, not committed yet: the insert of this upload's teams passes
    // 'rename-race-a' (taken) and waits on 'rename-race-z' (being created).
    const other = new Client({ connectionString: t.databaseUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`INSERT INTO teams (name) VALUES ('rename-race-z')`);
      const upload = t.http
        .post('/api/v1/admin/ingest/jobs')
        .set('X-API-Key', API_KEY)
        .send({
          jobs: [
            jobPayload({ job_id: 'rename-race-1', team_name: 'rename-race-a' }),
            jobPayload({ job_id: 'rename-race-2', team_name: 'rename-race-z' }),
          ],
        })
        .then((res) => res);
      const waiting = async () => {
        for (;;) {
          const { rows } = await other.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO teams%'`,
          );
          if (rows[0].n > 0) return;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      await within(10_000, waiting(), 'the upload never waited on the other team');
      await t.http
        .patch(`/api/v1/teams/${alpha.id}`)
        .set('Authorization', (await adminAuth(t)).header)
        .send({ name: 'rename-race-a-renamed' })
        .expect(200);
      await other.query('COMMIT');

      const res = await upload;
      expect(res.status).toBe(200);
      const rows = await t.db.query(
        `SELECT j.job_id, t.name AS team, t.id = $1 AS renamed_team FROM jobs j JOIN teams t ON t.id = j.team_id
         WHERE j.job_id LIKE 'rename-race-%' ORDER BY j.job_id`,
        [alpha.id],
      );
      expect(rows).toEqual([
        { job_id: 'rename-race-1', team: 'rename-race-a', renamed_team: false },
        { job_id: 'rename-race-2', team: 'rename-race-z', renamed_team: false },
      ]);
    } finally {
      await other.end();
    }
  });

  it('8 parallel ingestions of overlapping payloads give one row per team and job, no error, and the state of one run', async () => {
    const jobs = pool(600, 'conc');
    // Each payload takes an overlapping window of the pool, half of them as JSON, half as NDJSON.
    const payloads = Array.from({ length: 8 }, (_, k) => jobs.slice(k * 50, k * 50 + 300).reverse());
    const answers = await Promise.all(
      payloads.map((payload, k) =>
        k % 2
          ? t.http.post('/api/v1/admin/ingest/jobs').set('X-API-Key', API_KEY).send({ jobs: payload })
          : t.http
              .post('/api/v1/admin/ingest/jobs')
              .set('X-API-Key', API_KEY)
              .set('Content-Type', 'application/x-ndjson')
              .send(toNdjson(payload)),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(answers.every((a) => a.body.status === 'success')).toBe(true);

    const covered = jobs.slice(0, 7 * 50 + 300);
    const [{ teams }] = await t.db.query(`SELECT count(*)::int AS teams FROM teams WHERE name LIKE 'conc-team-%'`);
    expect(teams).toBe(12);
    expect(answers.reduce((sum, a) => sum + a.body.result.teams.created, 0)).toBe(12);
    const inserted = answers.reduce((sum, a) => sum + a.body.result.jobs.inserted, 0);
    expect(inserted).toBe(covered.length);

    const concurrent = await state();
    expect(concurrent).toHaveLength(covered.length);
    // The same data in one run changes nothing: the concurrent result is the single-run result.
    const single = await t.http
      .post('/api/v1/admin/ingest/jobs')
      .set('X-API-Key', API_KEY)
      .send({ jobs: covered })
      .expect(200);
    expect(single.body.result.jobs).toMatchObject({ inserted: 0, updated: 0, unchanged: covered.length });
    expect(await state()).toEqual(concurrent);
  });

  it('streams a multi-batch NDJSON upload through parallel writers, and re-ingests it as all unchanged', async () => {
    const jobs = pool(12_500, 'bulk');
    jobs.splice(4, 0, { ...jobs[3], model_name: 'last-one-wins' });
    const body = toNdjson(jobs);
    const first = await t.http
      .post('/api/v1/admin/ingest/jobs')
      .set('X-API-Key', API_KEY)
      .set('Content-Type', 'application/x-ndjson')
      .send(body)
      .expect(200);
    expect(first.body.result.jobs).toMatchObject({
      inserted: 12_500,
      updated: 0,
      superseded: 1,
      failed: 0,
      total: 12_501,
    });
    const [row] = await t.db.query(`SELECT model_name FROM jobs WHERE job_id = $1`, [jobs[3].job_id]);
    expect(row.model_name).toBe('last-one-wins');

    const before = await t.db.query(`SELECT max(updated_at) AS at FROM jobs WHERE job_id LIKE 'bulk-%'`);
    const again = await t.http
      .post('/api/v1/admin/ingest/jobs')
      .set('X-API-Key', API_KEY)
      .set('Content-Type', 'application/x-ndjson')
      .send(body)
      .expect(200);
    expect(again.body.result.jobs).toMatchObject({ inserted: 0, updated: 0, unchanged: 12_500, superseded: 1 });
    expect(await t.db.query(`SELECT max(updated_at) AS at FROM jobs WHERE job_id LIKE 'bulk-%'`)).toEqual(before);
  });

  it('refreshes the allocation after a streamed run, so the ingested cost is allocated', async () => {
    await t.http
      .post('/api/v1/admin/ingest/costs')
      .set('X-API-Key', API_KEY)
      .set('Content-Type', 'text/csv')
      .send('entry_date,provider,gpu_type,cost_usd\n2026-01-05,aws,h100,1000\n')
      .expect(200);
    const [{ dirty }] = await t.db.query(`SELECT count(*)::int AS dirty FROM allocation_dirty_cells`);
    expect(dirty).toBe(0);
  });
});
