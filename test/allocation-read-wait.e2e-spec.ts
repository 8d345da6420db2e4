import { Client } from 'pg';
import { MARK_ALL_CELLS, MEASURE_SPAN_BOUND } from '../src/allocation/allocation-rebuild.sql';
import { REFRESH_LOCK_KEY } from '../src/allocation/refresh-session';
import { adminAuth, createJob, createSnapshot, createTeam, jobPayload, postIngest } from './support/factories';
import { within } from './support/deadline';
import { createTestApp, TestApp } from './support/test-app';

const BY_TEAM = '/api/v1/analytics/cost/by-team?start=2026-01-01&end=2026-01-31';

/**
 * A rebuild (or another process's refresh of a bulk load) holds the refresh for as long as it
 * runs: minutes at ten million jobs. Reports arriving meanwhile wait a bounded time and then say
 * so, instead of hanging until the statement timeout and failing with a 500; an upload whose
 * refresh reaches the statement timeout answers 503 and leaves nothing half-written.
 */
describe('Reports while another transaction holds the allocation', () => {
  let t: TestApp;
  let other: Client;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp({ READ_REFRESH_WAIT_SECONDS: '1', DB_STATEMENT_TIMEOUT_SECONDS: '3' });
    other = new Client({ connectionString: t.databaseUrl });
    await other.connect();
    admin = (await adminAuth(t)).header;
    const team = await createTeam(t.db);
    await createJob(t.db, team.id, { start_time: '2026-01-03T00:00:00Z', end_time: '2026-01-03T10:00:00Z' });
    await createSnapshot(t.db, { entry_date: '2026-01-03', cost_usd: 100 });
  });
  afterAll(async () => {
    await other.end();
    await t.close();
  });

  // First: the running-jobs check is made at most once a minute per process, by the first read.
  it('answers without waiting when a rebuild holds the running-jobs check (it measures them itself)', async () => {
    await t.db.query(`UPDATE allocation_running_checks SET measured_at = now() - interval '1 hour'`);
    await other.query('BEGIN');
    try {
      await other.query(`UPDATE allocation_running_checks SET measured_at = now()`);
      const res = await within(10_000, t.http.get(BY_TEAM).set('Authorization', admin));
      expect(res.status).toBe(200);
    } finally {
      await other.query('ROLLBACK');
    }
    // The read left the check to its holder: nothing was measured or marked on its behalf.
    const [{ stale }] = await t.db.query(
      `SELECT bool_and(measured_at < now() - interval '59 minutes') AS stale FROM allocation_running_checks`,
    );
    expect(stale).toBe(true);
  }, 20_000);

  it('waits READ_REFRESH_WAIT_SECONDS for a held refresh, answers 503 with Retry-After, then the refreshed cost once it is free', async () => {
    await t.db.query(MEASURE_SPAN_BOUND);
    await t.db.query(MARK_ALL_CELLS, [new Date()]);
    await other.query('SELECT pg_advisory_lock($1)', [REFRESH_LOCK_KEY]);
    const asked = Date.now();
    let busy;
    try {
      busy = await within(10_000, t.http.get(BY_TEAM).set('Authorization', admin));
    } finally {
      await other.query('SELECT pg_advisory_unlock($1)', [REFRESH_LOCK_KEY]);
    }
    expect(Date.now() - asked).toBeGreaterThanOrEqual(1_000);
    expect(busy.status).toBe(503);
    expect(busy.headers['retry-after']).toBe('5');
    expect(busy.body).toMatchObject({
      statusCode: 503,
      error: 'Service Unavailable',
      message: expect.stringContaining('READ_REFRESH_WAIT_SECONDS'),
    });

    const res = await within(10_000, t.http.get(BY_TEAM).set('Authorization', admin));
    expect(res.status).toBe(200);
    expect(res.body).toEqual([expect.objectContaining({ total_cost_usd: 100 })]);
  }, 20_000);

  it('stops an upload whose refresh waits past DB_STATEMENT_TIMEOUT_SECONDS: 503, and nothing of it is written', async () => {
    const job = jobPayload({ team_name: 'behind-a-rebuild' });
    await other.query('SELECT pg_advisory_lock($1)', [REFRESH_LOCK_KEY]);
    let res;
    try {
      res = await within(15_000, postIngest(t, 'jobs', 'application/json', { jobs: [job] }));
    } finally {
      await other.query('SELECT pg_advisory_unlock($1)', [REFRESH_LOCK_KEY]);
    }
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toMatchObject({
      statusCode: 503,
      message: expect.stringContaining('DB_STATEMENT_TIMEOUT_SECONDS'),
    });
    const [{ jobs, teams }] = await t.db.query(
      `SELECT (SELECT count(*) FROM jobs WHERE job_id = $1)::int AS jobs,
              (SELECT count(*) FROM teams WHERE name = $2)::int AS teams`,
      [job.job_id, job.team_name],
    );
    expect({ jobs, teams }).toEqual({ jobs: 0, teams: 0 });
  }, 20_000);
});
