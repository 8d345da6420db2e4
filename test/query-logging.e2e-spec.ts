import { Client } from 'pg';
import { AppProcess, spawnApp, waitForHealth } from './support/app-process';
import { API_KEY } from './support/factories';
import { createSuiteDatabase, dropSuiteDatabase } from './support/test-database';

/**
 * A failed query is logged with its SQLSTATE and the request's id, never with its parameters.
 * The app runs as a process so that its real log output (JSON lines on stdout) is what is read.
 */
describe('Logs of a failed query', () => {
  let app: AppProcess;
  let database: { name: string; url: string };

  beforeAll(async () => {
    database = await createSuiteDatabase();
    // A constraint the app does not know about makes its INSERT of one user fail in PostgreSQL
    // (23514), with the row's values (e-mail, password hash) as the statement's parameters.
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query(`ALTER TABLE users ADD CONSTRAINT "CHK_test_refused" CHECK (email <> 'refused@example.com')`);
    } finally {
      await client.end();
    }
    app = await spawnApp({ DATABASE_URL: database.url, LOG_LEVEL: 'info' });
    expect(await waitForHealth(app)).toBe(200);
  });
  afterAll(async () => {
    app.child.kill('SIGTERM');
    await app.exited;
    await dropSuiteDatabase(database.name);
  });

  it('names the SQLSTATE and the request id, and none of the parameters', async () => {
    const password = 'a-secret-password-42';
    const res = await fetch(`http://127.0.0.1:${app.port}/api/v1/admin/users`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-API-Key': API_KEY, 'X-Request-Id': 'req-failing-query-1' },
      body: JSON.stringify({ email: 'refused@example.com', password, role: 'admin' }),
    });
    expect(res.status).toBe(500);
    await new Promise((r) => setTimeout(r, 300)); // the log lines reach stdout

    const lines = app
      .output()
      .split('\n')
      .filter((line) => line.includes('req-failing-query-1'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    // The 500's line: the request id with the SQLSTATE and the constraint.
    expect(lines).toContainEqual(
      expect.objectContaining({
        request_id: 'req-failing-query-1',
        err: expect.objectContaining({ sqlstate: '23514', constraint: 'CHK_test_refused' }),
      }),
    );
    // The query's own line, from the database layer, names the SQLSTATE too.
    const queryLines = app
      .output()
      .split('\n')
      .filter((line) => line.includes('"context":"Database"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(queryLines).toContainEqual(
      expect.objectContaining({ db_error: expect.objectContaining({ sqlstate: '23514', table: 'users' }) }),
    );

    const everything = app.output();
    expect(everything).not.toContain('refused@example.com');
    expect(everything).not.toContain(password);
    expect(everything).not.toContain('$argon2id$');
    expect(everything).not.toMatch(/Failing row|PARAMETERS|"parameters"/);
  });
});
