import { parse } from 'csv-parse/sync';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AllocationService } from '../src/allocation/allocation.service';
import { expectErrorShape } from './support/expectations';
import { adminAuth, costPayload, jobPayload, memberAuth, postIngest, toNdjson } from './support/factories';
import { runOperatorCommand } from './support/operator-command';
import { createTestApp, TestApp } from './support/test-app';

/** Each run of the command starts Node, compiles the app and boots it: a minute on a loaded machine. */
const CLI_TIMEOUT = 300_000;

/** `npm run archive -- …` against the suite's database, as an operator runs it. */
const archive = (t: TestApp, ...args: string[]) =>
  runOperatorCommand('src/archive/archive.cli', args, { DATABASE_URL: t.databaseUrl, LOG_LEVEL: 'warn' });

/** Σ of a CSV column of decimals, in cents (exact: added as integers of millionths). */
function sumCents(rows: Record<string, string>[], column: string): number {
  const micros = rows.reduce((sum, r) => {
    const [whole, fraction = ''] = r[column].split('.');
    return sum + BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
  }, 0n);
  return Number((micros + 5_000n) / 10_000n);
}

/**
 * Archiving old months (docs/allocation.md, "Archiving old months"). January 2026 is archived:
 * aws/h100 on the 10th ($900: vision's job 80 GPU-hours, $720; nlp's 20, $180), aws/a100 on the
 * 11th ($300, nobody: idle), lambda/h200 on the 20th (one GPU of capacity, $240: vision's job
 * used 12 of its 24 GPU-hours, $120, and $120 is idle), and nlp's gcp/a100 job running from noon
 * of the 31st to noon of February 1st (24 GPU-hours each day: $240 and $480). February stays:
 * vision on aws/h100 on the 5th ($400). January: $1,260 allocated, $420 idle.
 */
describe('npm run archive', () => {
  let t: TestApp;
  let admin: string;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'heliox-archive-'));
  const file = path.join(dir, 'january.csv');
  const crossing = jobPayload({
    job_id: 'arch-crossing',
    team_name: 'arch-nlp',
    provider: 'gcp',
    gpu_type: 'a100',
    gpu_count: 1,
    start_time: '2026-01-31T00:00:00Z',
    end_time: '2026-02-02T00:00:00Z',
  });
  const before: Record<string, unknown> = {};

  const get = async (url: string, status = 200) =>
    (await t.http.get(`/api/v1${url}`).set('Authorization', admin).expect(status)).body;
  /** Each table's rows of a range of days, fingerprinted (cells without the time they were refreshed). */
  const fingerprint = async (from: string, to: string) =>
    (
      await t.db.query(
        `SELECT
           (SELECT md5(string_agg(a::text, '|' ORDER BY a.day, a.provider, a.gpu_type, a.job_uuid)) FROM job_day_allocations a WHERE a.day BETWEEN $1 AND $2) AS job_days,
           (SELECT md5(string_agg((c.day, c.provider, c.gpu_type, c.snapshot_cost_usd, c.gpu_hours, c.allocated_usd, c.unallocated_usd,
                       c.unpriced_gpu_hours, c.job_count, c.rate, c.share_rate, c.capacity_id, c.capacity_gpu_hours, c.owner_team_id)::text,
                      '|' ORDER BY c.day, c.provider, c.gpu_type))
            FROM allocation_cells c WHERE c.day BETWEEN $1 AND $2) AS cells,
           (SELECT md5(string_agg(d::text, '|' ORDER BY d.day, d.team_id)) FROM allocation_team_days d WHERE d.day BETWEEN $1 AND $2) AS team_days,
           (SELECT md5(string_agg(d::text, '|' ORDER BY d.day, d.model_name)) FROM allocation_model_days d WHERE d.day BETWEEN $1 AND $2) AS model_days,
           (SELECT md5(string_agg(d::text, '|' ORDER BY d.day, d.team_id, d.model_name)) FROM allocation_team_model_days d WHERE d.day BETWEEN $1 AND $2) AS team_model_days,
           (SELECT md5(string_agg(d::text, '|' ORDER BY d.label_key, d.day, d.team_id, d.label_value)) FROM allocation_label_days d WHERE d.day BETWEEN $1 AND $2) AS label_days,
           (SELECT md5(string_agg(d::text, '|' ORDER BY d.month, d.team_id, d.model_name)) FROM allocation_team_model_months d WHERE d.month BETWEEN $1 AND $2) AS team_model_months,
           (SELECT md5(string_agg(s::text, '|' ORDER BY s.entry_date, s.provider, s.gpu_type)) FROM cost_snapshots s WHERE s.entry_date BETWEEN $1 AND $2) AS snapshots`,
        [from, to],
      )
    )[0];
  const rowsBefore = async (day: string) =>
    (
      await t.db.query(
        `SELECT (SELECT count(*) FROM job_day_allocations WHERE day < $1)::int AS job_days,
                ((SELECT count(*) FROM allocation_team_days WHERE day < $1) + (SELECT count(*) FROM allocation_model_days WHERE day < $1)
                 + (SELECT count(*) FROM allocation_team_model_days WHERE day < $1) + (SELECT count(*) FROM allocation_label_days WHERE day < $1)
                 + (SELECT count(*) FROM allocation_team_model_months WHERE month < $1))::int AS day_sums,
                (SELECT count(*) FROM allocation_cells WHERE day < $1)::int AS cells`,
        [day],
      )
    )[0];

  beforeAll(async () => {
    t = await createTestApp();
    admin = (await adminAuth(t)).header;
    await t.http
      .post('/api/v1/capacity')
      .set('Authorization', admin)
      .send({ provider: 'lambda', gpu_type: 'h200', gpu_count: 1, from: '2026-01-20', to: '2026-01-20' })
      .expect(201);
    await postIngest(t, 'jobs', 'application/json', {
      jobs: [
        jobPayload({
          job_id: 'arch-vision-capacity',
          team_name: 'arch-vision',
          provider: 'lambda',
          gpu_type: 'h200',
          gpu_count: 1,
          start_time: '2026-01-20T00:00:00Z',
          end_time: '2026-01-20T12:00:00Z',
        }),
        jobPayload({
          job_id: 'arch-vision-jan',
          team_name: 'arch-vision',
          provider: 'aws',
          gpu_type: 'h100',
          gpu_count: 8,
          start_time: '2026-01-10T00:00:00Z',
          end_time: '2026-01-10T10:00:00Z',
          labels: { project: 'atlas' },
        }),
        jobPayload({
          job_id: 'arch-nlp-jan',
          team_name: 'arch-nlp',
          provider: 'aws',
          gpu_type: 'h100',
          gpu_count: 4,
          start_time: '2026-01-10T00:00:00Z',
          end_time: '2026-01-10T05:00:00Z',
        }),
        { ...crossing, start_time: '2026-01-31T12:00:00Z', end_time: '2026-02-01T12:00:00Z', gpu_count: 2 },
        jobPayload({
          job_id: 'arch-vision-feb',
          team_name: 'arch-vision',
          provider: 'aws',
          gpu_type: 'h100',
          gpu_count: 8,
          start_time: '2026-02-05T00:00:00Z',
          end_time: '2026-02-05T05:00:00Z',
        }),
      ],
    }).expect(200);
    await postIngest(t, 'costs', 'application/json', {
      cost_snapshots: [
        costPayload({ entry_date: '2026-01-10', provider: 'aws', gpu_type: 'h100', cost_usd: 900 }),
        costPayload({ entry_date: '2026-01-11', provider: 'aws', gpu_type: 'a100', cost_usd: 300 }),
        costPayload({ entry_date: '2026-01-20', provider: 'lambda', gpu_type: 'h200', cost_usd: 240 }),
        costPayload({ entry_date: '2026-01-31', provider: 'gcp', gpu_type: 'a100', cost_usd: 240 }),
        costPayload({ entry_date: '2026-02-01', provider: 'gcp', gpu_type: 'a100', cost_usd: 480 }),
        costPayload({ entry_date: '2026-02-05', provider: 'aws', gpu_type: 'h100', cost_usd: 400 }),
      ],
    }).expect(200);

    before.january = await get('/analytics/cost?start=2026-01-01&end=2026-01-31&group_by=team');
    before.both = await get('/analytics/cost?start=2026-01-01&end=2026-02-28&group_by=team');
    before.shared = await get('/analytics/cost?start=2026-01-01&end=2026-01-31&group_by=provider&idle=share');
    before.february = await get('/analytics/cost?start=2026-02-01&end=2026-02-28&group_by=team,model');
    before.februaryByTeam = await get('/analytics/cost/by-team?start=2026-02-01&end=2026-02-28');
    before.export = (
      await t.http
        .get('/api/v1/analytics/cost/export?start=2026-01-01&end=2026-01-31&format=focus')
        .set('Authorization', admin)
        .expect(200)
    ).text;
    before.tables = await fingerprint('2026-02-01', '2026-12-31');
    before.januaryCells = (await fingerprint('2026-01-01', '2026-01-31')).cells;
    before.snapshots = (await fingerprint('2026-01-01', '2026-01-31')).snapshots;
    before.rows = await rowsBefore('2026-02-01');
  });

  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('had the months to archive in every table, and the reports agree with each other', () => {
    expect(before.january).toEqual(
      expect.objectContaining({
        totals: expect.objectContaining({ allocated_usd: 1260, unallocated_usd: 420, total_usd: 1680 }),
      }),
    );
    expect(before.both).toEqual(
      expect.objectContaining({
        totals: expect.objectContaining({ allocated_usd: 2140, unallocated_usd: 420, total_usd: 2560 }),
      }),
    );
    // Day × team, day × model and day × team × model rows of the 10th, 20th and 31st, the label row of the
    // 10th, and January's two team × model month rows.
    expect(before.rows).toEqual({ job_days: 4, day_sums: 14, cells: 4 });
  });

  it(
    'refuses bad arguments with a clear message and a non-zero exit, touching nothing',
    async () => {
      const [help, missing, malformed, current, dryRun] = await Promise.all([
        archive(t, '--help'),
        archive(t),
        archive(t, '--before', '2026-1'),
        archive(t, '--before', '2099-01'),
        archive(t, '--before', '2026-02', '--dry-run'),
      ]);
      expect(help).toEqual(expect.objectContaining({ code: 0, stderr: '' }));
      expect(help.stdout).toContain('Usage: npm run archive -- --before YYYY-MM [--out FILE] [--dry-run]');
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('--before YYYY-MM is required');
      expect(malformed.code).toBe(2);
      expect(malformed.stderr).toContain('--before must be a month written YYYY-MM (like 2026-03), not "2026-1"');
      expect(current.code).toBe(2);
      expect(current.stderr).toContain('only months that have ended can be archived');
      expect(dryRun.code).toBe(0);
      expect(dryRun.stdout).toContain('Would archive 2026-01 (dry run: nothing written)');
      expect(dryRun.stdout).toContain('2026-01: 4 job-day rows');
      expect(await rowsBefore('2026-02-01')).toEqual(before.rows);
      expect(await t.db.query(`SELECT * FROM archived_months`)).toEqual([]);
    },
    CLI_TIMEOUT,
  );

  it(
    'writes the FOCUS export of the months before --before to the file, then deletes their job-days and day sums',
    async () => {
      const run = await archive(t, '--before', '2026-02', '--out', file);
      expect(run).toEqual(expect.objectContaining({ code: 0, stderr: '' }));
      expect(run.stdout).toContain('Archived 2026-01.');
      expect(run.stdout).toContain(`FOCUS export written to ${file}: 5 rows, BilledCost 1380.00 USD.`);

      // The file is the export the API gave of January before archiving, to the byte, and its
      // cost sums are the reports' totals: the job-days' the allocated cost, and the idle row the
      // capacity cell's idle (a snapshot nobody used is not split, so not exported).
      const text = readFileSync(file, 'utf8');
      expect(text).toBe(before.export);
      const rows = parse<Record<string, string>>(text, { columns: true });
      // Rows of a day come in job uuid order, which the test does not choose.
      expect(rows.map((r) => `${r.ChargePeriodStart.slice(0, 10)} ${r.x_JobId}`).sort()).toEqual([
        '2026-01-10 arch-nlp-jan',
        '2026-01-10 arch-vision-jan',
        '2026-01-20 ',
        '2026-01-20 arch-vision-capacity',
        '2026-01-31 arch-crossing',
      ]);
      const jobDays = rows.filter((r) => r.x_JobId);
      const idle = rows.filter((r) => !r.x_JobId);
      const totals = (before.january as { totals: { allocated_usd: number; unallocated_usd: number } }).totals;
      for (const column of ['BilledCost', 'EffectiveCost']) {
        expect(sumCents(jobDays, column)).toBe(totals.allocated_usd * 100);
        expect(sumCents(idle, column)).toBe((totals.unallocated_usd - 300) * 100);
      }
      // Nothing is left of the temporary file it was written to.
      expect(readdirSync(dir)).toEqual(['january.csv']);

      // January lost its job-days and day sums; its cells, the snapshots and the jobs stay; later
      // days are untouched.
      expect(await rowsBefore('2026-02-01')).toEqual({ job_days: 0, day_sums: 0, cells: 4 });
      expect((await fingerprint('2026-01-01', '2026-01-31')).cells).toBe(before.januaryCells);
      expect((await fingerprint('2026-01-01', '2026-01-31')).snapshots).toBe(before.snapshots);
      expect(await fingerprint('2026-02-01', '2026-12-31')).toEqual(before.tables);
      expect(await t.db.query(`SELECT count(*)::int AS n FROM jobs WHERE job_id LIKE 'arch-%'`)).toEqual([{ n: 5 }]);
      const [month] = await t.db.query(
        `SELECT to_char(month, 'YYYY-MM') AS month, file, job_day_rows::int, day_sum_rows::int, archived_at IS NOT NULL AS archived
       FROM archived_months`,
      );
      expect(month).toEqual({
        month: '2026-01',
        file,
        job_day_rows: 4,
        day_sum_rows: (before.rows as { day_sums: number }).day_sums,
        archived: true,
      });
    },
    CLI_TIMEOUT,
  );

  it('answers the totals of archived months from their cells, and says the window reaches them', async () => {
    const both = await get('/analytics/cost?start=2026-01-01&end=2026-02-28&group_by=team');
    expect(both.totals).toEqual((before.both as { totals: unknown }).totals);
    expect(both.archived).toEqual({
      months: ['2026-01'],
      first_unarchived_day: '2026-02-01',
      note: expect.stringContaining('Archived months keep their cost per day, provider and GPU type only'),
    });
    // The archived spend is a row of its own, first, with no team: never a team with no spend.
    expect(both.rows.map((r: Record<string, unknown>) => [r.archived, r.team_name, r.cost_usd, r.job_count])).toEqual([
      [true, null, 1260, null],
      [false, 'arch-nlp', 480, 1],
      [false, 'arch-vision', 400, 1],
    ]);
    const january = await get('/analytics/cost?start=2026-01-01&end=2026-01-31&group_by=month');
    expect(january.totals).toEqual((before.january as { totals: unknown }).totals);
    expect(january.rows).toEqual([
      expect.objectContaining({ month: '2026-01', archived: true, cost_usd: 1260, gpu_hours: 136, job_count: null }),
    ]);
    // Under idle=share a used cell's idle is charged to its archived row, and the totals are as before.
    const shared = await get('/analytics/cost?start=2026-01-01&end=2026-01-31&group_by=provider&idle=share');
    expect(shared.totals).toEqual((before.shared as { totals: unknown }).totals);
    expect(shared.totals).toEqual(
      expect.objectContaining({ allocated_usd: 1260, idle_usd: 120, cost_usd: 1380, unallocated_usd: 300 }),
    );
    expect(
      shared.rows.map((r: Record<string, unknown>) => [
        r.provider,
        r.allocated_usd,
        r.idle_usd,
        r.cost_usd,
        r.archived,
      ]),
    ).toEqual([
      ['aws', 900, 0, 900, true],
      ['gcp', 240, 0, 240, true],
      ['lambda', 120, 120, 240, true],
    ]);
    const byDay = await get('/analytics/cost?start=2026-01-25&end=2026-02-02&group_by=day,provider');
    expect(byDay.rows.map((r: Record<string, unknown>) => [r.day, r.provider, r.cost_usd, r.archived])).toEqual([
      ['2026-01-31', 'gcp', 240, true],
      ['2026-02-01', 'gcp', 480, false],
    ]);
    const csv = await t.http
      .get('/api/v1/analytics/cost?start=2026-01-01&end=2026-02-28&group_by=month&format=csv')
      .set('Authorization', admin)
      .expect(200);
    expect(csv.text.split('\n')[0]).toContain('archived');
    expect(csv.text).toContain('2026-01,1260');

    // Windows after the archived months answer exactly as before.
    expect(await get('/analytics/cost?start=2026-02-01&end=2026-02-28&group_by=team,model')).toEqual(before.february);
    expect(await get('/analytics/cost/by-team?start=2026-02-01&end=2026-02-28')).toEqual(before.februaryByTeam);
  });

  it('refuses (409, naming the months) what only the deleted rows could answer', async () => {
    for (const [url, field] of [
      ['/analytics/cost/by-team?start=2026-01-01&end=2026-02-28', 'start'],
      ['/analytics/cost/by-model?start=2026-01-15&end=2026-01-20', 'start'],
      ['/analytics/trends?start=2026-02-01&end=2026-02-28&group_by=team', 'start'],
      ['/analytics/cost/export?start=2026-01-01&end=2026-02-28&format=focus', 'start'],
      ['/analytics/budgets?month=2026-01', 'month'],
      ['/analytics/forecast?month=2026-01', 'month'],
      ['/analytics/anomalies?start=2026-01-01&end=2026-01-31', 'start'],
      ['/analytics/cost?start=2026-01-01&end=2026-02-28&group_by=team&model_name=llama-3-8b', 'model_name'],
      ['/analytics/cost?start=2026-01-01&end=2026-02-28&label.project=atlas', 'labels'],
    ]) {
      const res = await t.http.get(`/api/v1${url}`).set('Authorization', admin).expect(409);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['content-disposition']).toBeUndefined();
      const body = res.body;
      expectErrorShape(body, 409);
      expect(body.message).toContain('2026-01 is archived');
      expect(body.details).toEqual([expect.objectContaining({ field, archived_months: ['2026-01'] })]);
    }
    const byTeam = await get('/analytics/cost/by-team?start=2026-01-01&end=2026-02-28', 409);
    expect(byTeam.message).toBe(
      '2026-01 is archived: archived months keep only their cost per day, provider and GPU type, not their cost ' +
        "by team (their job-level rows went to the archive's FOCUS file). Ask from 2026-02-01 on",
    );
    // A member is always scoped to their team, which archived months no longer know.
    const [{ id: nlp }] = await t.db.query(`SELECT id FROM teams WHERE name = 'arch-nlp'`);
    const member = (await memberAuth(t, nlp)).header;
    const scoped = await t.http
      .get('/api/v1/analytics/cost?start=2026-01-01&end=2026-02-28')
      .set('Authorization', member)
      .expect(409);
    expect(scoped.body.details).toEqual([expect.objectContaining({ field: 'team_id' })]);
    const february = await t.http
      .get('/api/v1/analytics/cost?start=2026-02-01&end=2026-02-28&group_by=team')
      .set('Authorization', member)
      .expect(200);
    expect(february.body.rows).toEqual([expect.objectContaining({ team_name: 'arch-nlp', cost_usd: 480 })]);
  });

  it(
    'is a no-op when run again',
    async () => {
      const state = await fingerprint('2026-01-01', '2026-12-31');
      const again = await archive(t, '--before', '2026-02', '--out', file);
      expect(again).toEqual(expect.objectContaining({ code: 0, stderr: '' }));
      expect(again.stdout).toContain(
        'Nothing to archive before 2026-02: every month before it with data is archived already.',
      );
      expect(readFileSync(file, 'utf8')).toBe(before.export);
      expect(await fingerprint('2026-01-01', '2026-12-31')).toEqual(state);
      expect(await t.db.query(`SELECT count(*)::int AS n FROM archived_months`)).toEqual([{ n: 1 }]);
    },
    CLI_TIMEOUT,
  );

  it(
    'never overwrites an archive file',
    async () => {
      const taken = path.join(dir, 'taken.csv');
      writeFileSync(taken, 'precious');
      const run = await archive(t, '--before', '2026-03', '--out', taken);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `${taken} exists already: give another --out (an archive file is never overwritten)`,
      );
      expect(readFileSync(taken, 'utf8')).toBe('precious');
      expect(await t.db.query(`SELECT count(*)::int AS n FROM archived_months`)).toEqual([{ n: 1 }]);
    },
    CLI_TIMEOUT,
  );

  it(
    'closes no month when --out cannot be written, and says so in one line',
    async () => {
      // A directory that is a file: no archive can be written under it.
      const notADirectory = path.join(dir, 'taken.csv', 'feb.csv');
      const run = await archive(t, '--before', '2026-03', '--out', notADirectory);
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain(`failed: Cannot write ${notADirectory}: `);
      expect(await t.db.query(`SELECT count(*)::int AS n FROM archived_months`)).toEqual([{ n: 1 }]);
    },
    CLI_TIMEOUT,
  );

  it('refuses writes that would change archived days (409 naming the field) and accepts the rest', async () => {
    const snapshot = await postIngest(t, 'costs', 'application/json', {
      cost_snapshots: [costPayload({ entry_date: '2026-01-10', provider: 'aws', gpu_type: 'h100', cost_usd: 1000 })],
    }).expect(409);
    expect(snapshot.body.details).toEqual([expect.objectContaining({ field: 'entry_date' })]);
    const streamed = await postIngest(
      t,
      'costs',
      'application/x-ndjson',
      toNdjson([costPayload({ entry_date: '2026-01-20', provider: 'lambda', gpu_type: 'h200', cost_usd: 1 })]),
    ).expect(409);
    expect(streamed.body.details).toEqual([expect.objectContaining({ field: 'entry_date' })]);
    const newJob = await postIngest(t, 'jobs', 'application/json', {
      jobs: [jobPayload({ job_id: 'arch-late', start_time: '2026-01-20T00:00:00Z', end_time: '2026-01-20T01:00:00Z' })],
    }).expect(409);
    expect(newJob.body.details).toEqual([expect.objectContaining({ job_id: 'arch-late', field: 'start_time' })]);
    const moved = await postIngest(t, 'jobs', 'application/json', {
      jobs: [{ ...crossing, start_time: '2026-01-31T06:00:00Z', end_time: '2026-02-01T12:00:00Z', gpu_count: 2 }],
    }).expect(409);
    expect(moved.body.details).toEqual([expect.objectContaining({ job_id: 'arch-crossing', field: 'start_time' })]);
    const capacity = await t.http
      .post('/api/v1/capacity')
      .set('Authorization', admin)
      .send({ provider: 'aws', gpu_type: 'h100', gpu_count: 8, from: '2026-01-01' })
      .expect(409);
    expect(capacity.body.details).toEqual([expect.objectContaining({ field: 'from' })]);
    // A change that leaves the archived days' capacity as it was passes (the period grows after them).
    const [{ id: lambda }] = await t.db.query(`SELECT id FROM capacities WHERE provider = 'lambda'`);
    await t.http.patch(`/api/v1/capacity/${lambda}`).set('Authorization', admin).send({ to: '2026-02-10' }).expect(200);

    // Re-sent as they are, archived records change nothing and pass.
    const resent = await postIngest(t, 'costs', 'application/json', {
      cost_snapshots: [costPayload({ entry_date: '2026-01-10', provider: 'aws', gpu_type: 'h100', cost_usd: 900 })],
    }).expect(200);
    expect(resent.body.result.cost_snapshots).toEqual(expect.objectContaining({ unchanged: 1 }));
    // A job running across the boundary may still change after it: only February moves.
    await postIngest(t, 'jobs', 'application/json', {
      jobs: [{ ...crossing, start_time: '2026-01-31T12:00:00Z', end_time: '2026-02-01T18:00:00Z', gpu_count: 2 }],
    }).expect(200);
    // The money is where it was (the job is alone in its cell); it used 12 more GPU-hours on the 1st.
    const both = await get('/analytics/cost?start=2026-01-01&end=2026-02-28&group_by=team');
    expect(both.totals).toEqual({ ...(before.both as { totals: object }).totals, gpu_hours: 212 });
    expect(await rowsBefore('2026-02-01')).toEqual({ job_days: 0, day_sums: 0, cells: 4 });
    expect((await fingerprint('2026-01-01', '2026-01-31')).cells).toBe(before.januaryCells);
    const [{ gpu_hours }] = await t.db.query(
      `SELECT gpu_hours::float8 AS gpu_hours FROM job_day_allocations a JOIN jobs j ON j.id = a.job_uuid
       WHERE j.job_id = 'arch-crossing' AND a.day = '2026-02-01'`,
    );
    expect(gpu_hours).toBe(36);
  });

  it('keeps archived days as archived through a rebuild, and rebuilds the rest as before', async () => {
    const live = await fingerprint('2026-02-01', '2026-12-31');
    await t.app.get(AllocationService).rebuild();
    expect(await rowsBefore('2026-02-01')).toEqual({ job_days: 0, day_sums: 0, cells: 4 });
    expect((await fingerprint('2026-01-01', '2026-01-31')).cells).toBe(before.januaryCells);
    expect(await fingerprint('2026-02-01', '2026-12-31')).toEqual(live);
    expect((await get('/analytics/cost?start=2026-01-01&end=2026-02-28&group_by=team')).totals).toEqual({
      ...(before.both as { totals: object }).totals,
      gpu_hours: 212,
    });
  });

  it(
    'finishes a run that stopped after closing its months, and refuses a rebuild meanwhile',
    async () => {
      // A run that stopped right after closing February: its rows are all there, not exported.
      const allocation = t.app.get(AllocationService);
      expect(await allocation.closeMonths('2026-03')).toEqual([
        { month: '2026-02', file: null, jobDayRows: 0, daySumRows: 0 },
      ]);
      const totals = { ...(before.both as { totals: object }).totals, gpu_hours: 212 };
      // Reports already read February from its cells: the same totals, both months named.
      const both = await get('/analytics/cost?start=2026-01-01&end=2026-02-28&group_by=team');
      expect(both.totals).toEqual(totals);
      expect(both.archived.months).toEqual(['2026-01', '2026-02']);
      await expect(allocation.rebuild()).rejects.toThrow(
        'The archiving of 2026-02 has not finished: run npm run archive again to finish it, then rebuild',
      );

      const february = path.join(dir, 'february.csv');
      const run = await archive(t, '--before', '2026-03', '--out', february);
      expect(run).toEqual(expect.objectContaining({ code: 0, stderr: '' }));
      expect(run.stdout).toContain('Archived 2026-02.');
      const rows = parse<Record<string, string>>(readFileSync(february, 'utf8'), { columns: true });
      expect(rows.map((r) => `${r.ChargePeriodStart.slice(0, 10)} ${r.x_JobId}`)).toEqual([
        '2026-02-01 arch-crossing',
        '2026-02-05 arch-vision-feb',
      ]);
      expect(sumCents(rows, 'BilledCost')).toBe(88_000);
      expect(await rowsBefore('2026-03-01')).toEqual({ job_days: 0, day_sums: 0, cells: 6 });
      expect((await get('/analytics/cost?start=2026-01-01&end=2026-02-28&group_by=team')).totals).toEqual(totals);
      await allocation.rebuild();
      expect((await get('/analytics/cost?start=2026-01-01&end=2026-02-28&group_by=team')).totals).toEqual(totals);
    },
    CLI_TIMEOUT,
  );
});
