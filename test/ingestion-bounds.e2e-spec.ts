import { DAY_MS } from '../src/common/calendar';
import { expectErrorShape } from './support/expectations';
import { API_KEY, costPayload, jobPayload, postIngest, toNdjson } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';
import { JOB_FIELDS } from '../src/ingestion/records/job-record';

/** Small limits, so that a test can cross them with a few kilobytes. */
const MAX_BYTES = 64 * 1024;
const MAX_RECORDS = 1_000;

const toCsv = (records: Record<string, unknown>[]) =>
  [
    JOB_FIELDS.join(','),
    ...records.map((r) => JOB_FIELDS.map((c) => String((r[c] as string | number | null | undefined) ?? '')).join(',')),
  ].join('\n') + '\n';
const isoDaysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();

describe('Ingestion bounds: unstorable text, job time spans, upload bytes and blank lines', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ INGEST_MAX_BYTES: String(MAX_BYTES), INGEST_MAX_RECORDS: String(MAX_RECORDS) });
  });
  afterAll(() => t.close());

  const post = (path: string, type: string, body: string | object) => postIngest(t, path, type, body);
  const count = async (sql: string, params: unknown[] = []) => Number((await t.db.query(sql, params))[0].n);
  const jobsLike = (prefix: string) => count(`SELECT count(*) AS n FROM jobs WHERE job_id LIKE $1`, [`${prefix}%`]);
  const run = async (id: string) =>
    (await t.http.get(`/api/v1/admin/ingestions/${id}`).set('X-API-Key', API_KEY).expect(200)).body;
  const runIdOf = (message: string) => /run ([0-9a-f-]{36})/.exec(message)![1];

  /** Five jobs whose third (index 2) carries a NUL in model_name. */
  const fiveWithNul = (prefix: string) =>
    Array.from({ length: 5 }, (_, i) =>
      jobPayload({ job_id: `${prefix}-${i}`, model_name: i === 2 ? 'llama\u0000-3' : 'llama-3' }),
    );

  describe('a NUL in an ingested field is that record error; the rest goes in', () => {
    it.each([
      ['NDJSON', 'application/x-ndjson', (records: Record<string, unknown>[]) => toNdjson(records)],
      ['CSV', 'text/csv', toCsv],
      ['JSON', 'application/json', (records: Record<string, unknown>[]) => ({ jobs: records })],
    ])(
      '%s: 5 records, the third with a NUL in model_name → 4 in, 1 error naming index and field',
      async (name, type, body) => {
        const prefix = `nul-${name.toLowerCase()}`;
        const res = await post('jobs', type, body(fiveWithNul(prefix))).expect(200);
        expect(res.body).toMatchObject({
          status: 'partial',
          result: { jobs: { inserted: 4, failed: 1, total: 5 }, error_count: 1 },
        });
        expect(res.body.result.errors).toEqual([
          {
            index: 2,
            job_id: `${prefix}-2`,
            field: 'model_name',
            message: 'model_name must not contain the NUL character (\\u0000)',
          },
        ]);
        expect(await jobsLike(`${prefix}-`)).toBe(4);
        expect((await run(res.body.run_id)).status).toBe('partial');
      },
    );

    it('refuses a NUL in every text field of a job, each naming its field', async () => {
      const fields = ['job_id', 'team_name', 'model_name', 'provider', 'gpu_type', 'status'];
      const records = fields.map((field, i) => jobPayload({ job_id: `nul-field-${i}`, [field]: 'x\u0000' }));
      const res = await post('jobs', 'application/x-ndjson', toNdjson(records)).expect(400);
      expect(res.body.details.map((d: { index: number; field: string }) => [d.index, d.field])).toEqual(
        fields.map((field, i) => [i, field]),
      );
      expect(await jobsLike('nul-field-')).toBe(0);
    });

    it('refuses a NUL in a cost snapshot field, keeping the other snapshots', async () => {
      const res = await post(
        'costs',
        'application/x-ndjson',
        toNdjson([
          costPayload({ entry_date: '2026-02-01' }),
          costPayload({ entry_date: '2026-02-02', gpu_type: 'h\u0000100' }),
        ]),
      ).expect(200);
      expect(res.body.result.cost_snapshots).toMatchObject({ inserted: 1, failed: 1 });
      expect(res.body.result.errors).toEqual([
        expect.objectContaining({ index: 1, field: 'gpu_type', message: expect.stringMatching(/NUL/) }),
      ]);
    });

    it('refuses a NUL in a team definition with 400 naming the team and field', async () => {
      const res = await post('jobs', 'application/json', {
        teams: [{ name: 'nul-team', description: 'a\u0000b' }],
        jobs: [jobPayload({ team_name: 'nul-team' })],
      }).expect(400);
      expectErrorShape(res.body, 400);
      expect(res.body.details).toEqual([
        { field: 'teams[0].description', message: 'description must not contain the NUL character (\\u0000)' },
      ]);
      expect(await count(`SELECT count(*) AS n FROM teams WHERE name = 'nul-team'`)).toBe(0);
    });

    it('refuses a lone UTF-16 surrogate, and the run history keeps the error', async () => {
      const good = JSON.stringify(jobPayload({ job_id: 'surrogate-ok' }));
      const bad = JSON.stringify(jobPayload({ job_id: 'surrogate-bad' })).replace('"llama-3-8b"', '"llama-\\ud800"');
      const res = await post('jobs', 'application/x-ndjson', `${good}\n${bad}\n`).expect(200);
      expect(res.body.result.errors).toEqual([
        expect.objectContaining({ index: 1, job_id: 'surrogate-bad', field: 'model_name' }),
      ]);
      expect((await run(res.body.run_id)).errors).toEqual(res.body.result.errors);
    });

    it('keeps a record error quoting a NUL (an unknown field, a broken line) storable in the run history', async () => {
      const unknown = JSON.stringify({ ...jobPayload({ job_id: 'nul-key' }), 'own\u0000er': 'x' });
      const broken = '{"job_id": "\u0000';
      const res = await post(
        'jobs',
        'application/x-ndjson',
        `${unknown}\n${broken}\n${toNdjson([jobPayload()])}`,
      ).expect(200);
      expect(res.body.result.errors).toEqual([
        { index: 0, job_id: 'nul-key', field: 'own\\u0000er', message: 'property own\\u0000er is not allowed' },
        { index: 1, job_id: null, field: null, message: expect.stringMatching(/^line 2 is not valid JSON/) },
      ]);
      const stored = await run(res.body.run_id);
      expect(stored.status).toBe('partial');
      expect(stored.errors).toEqual(res.body.result.errors);
    });

    it('refuses a CSV header naming a column with a NUL with 400, and leaves no run running', async () => {
      const res = await post('jobs', 'text/csv', `${JOB_FIELDS.join(',')},x\u0000\n`).expect(400);
      expect(res.body.details).toEqual([{ field: 'x\\u0000', message: 'unknown column x\\u0000' }]);
      const running = await t.http.get('/api/v1/admin/ingestions?status=running').set('X-API-Key', API_KEY).expect(200);
      expect(running.body.total).toBe(0);
    });
  });

  describe("a job's time span is bounded", () => {
    it('refuses a job from 1970 to 2970, naming start_time and end_time, and writes nothing of it', async () => {
      const cells = await count(`SELECT count(*) AS n FROM jobs`);
      const res = await post('jobs', 'application/json', {
        jobs: [
          jobPayload({ job_id: 'span-1970', start_time: '1970-01-01T00:00:00Z', end_time: '2970-01-01T00:00:00Z' }),
        ],
      }).expect(400);
      expect(res.body.details).toEqual([
        expect.objectContaining({
          index: 0,
          job_id: 'span-1970',
          field: 'start_time',
          message: expect.stringMatching(/JOB_START_FLOOR/),
        }),
        expect.objectContaining({ index: 0, job_id: 'span-1970', field: 'end_time' }),
      ]);
      expect(await count(`SELECT count(*) AS n FROM jobs`)).toBe(cells);
    });

    it('refuses a 400-day job on end_time, and keeps the valid records beside it', async () => {
      const res = await post(
        'jobs',
        'application/x-ndjson',
        toNdjson([
          jobPayload({ job_id: 'span-ok' }),
          jobPayload({ job_id: 'span-400', start_time: '2025-01-01T00:00:00Z', end_time: '2026-02-05T00:00:00Z' }),
        ]),
      ).expect(200);
      expect(res.body.result.errors).toEqual([
        expect.objectContaining({
          index: 1,
          job_id: 'span-400',
          field: 'end_time',
          message: expect.stringMatching(/JOB_MAX_DAYS/),
        }),
      ]);
      expect(await jobsLike('span-')).toBe(1);
    });

    it('refuses a running job started more than JOB_MAX_DAYS ago, and takes one started last month', async () => {
      const res = await post(
        'jobs',
        'text/csv',
        toCsv([
          jobPayload({ job_id: 'running-old', start_time: isoDaysAgo(730), end_time: '', status: 'running' }),
          jobPayload({ job_id: 'running-new', start_time: isoDaysAgo(30), end_time: '', status: 'running' }),
        ]),
      ).expect(200);
      expect(res.body.result.errors).toEqual([
        expect.objectContaining({
          index: 0,
          job_id: 'running-old',
          field: 'start_time',
          message: expect.stringMatching(/JOB_MAX_DAYS/),
        }),
      ]);
      expect(await count(`SELECT count(*) AS n FROM jobs WHERE job_id = 'running-new'`)).toBe(1);
    });

    it('refuses a job ending more than a day from now, and a snapshot before the floor or after tomorrow', async () => {
      const jobs = await post('jobs', 'application/json', {
        jobs: [jobPayload({ start_time: isoDaysAgo(1), end_time: isoDaysAgo(-3) })],
      }).expect(400);
      expect(jobs.body.details).toEqual([expect.objectContaining({ field: 'end_time' })]);
      const costs = await post('costs', 'application/json', {
        cost_snapshots: [
          costPayload({ entry_date: '1999-12-31' }),
          costPayload({ entry_date: isoDaysAgo(-3).slice(0, 10) }),
        ],
      }).expect(400);
      expect(costs.body.details).toEqual([
        expect.objectContaining({ index: 0, field: 'entry_date' }),
        expect.objectContaining({ index: 1, field: 'entry_date' }),
      ]);
    });

    it('accepts all the demo data, however far the calendar has moved past it', async () => {
      // Only Date is faked: two years on, the demo's running jobs would have run for over JOB_MAX_DAYS.
      jest.useFakeTimers({
        now: new Date('2028-06-01T00:00:00Z'),
        doNotFake: [
          'hrtime',
          'nextTick',
          'performance',
          'queueMicrotask',
          'setImmediate',
          'clearImmediate',
          'setInterval',
          'clearInterval',
          'setTimeout',
          'clearTimeout',
        ],
      });
      try {
        const jobs = await t.http.post('/api/v1/admin/ingest/jobs/mock').set('X-API-Key', API_KEY).expect(200);
        expect(jobs.body.result.jobs).toMatchObject({ failed: 0, total: 30 });
        const costs = await t.http.post('/api/v1/admin/ingest/costs/mock').set('X-API-Key', API_KEY).expect(200);
        expect(costs.body.result.cost_snapshots).toMatchObject({ failed: 0, total: 28 });
      } finally {
        jest.useRealTimers();
      }
    });
  });

  describe('streamed uploads are bounded in bytes, and blank lines count', () => {
    /** Jobs whose NDJSON lines all have the same length, so the byte limit falls at a known record. */
    const sameLength = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => jobPayload({ job_id: `${prefix}-${String(i).padStart(5, '0')}` }));

    it.each([
      ['NDJSON', 'application/x-ndjson', toNdjson],
      ['CSV', 'text/csv', toCsv],
    ])(
      '%s: past INGEST_MAX_BYTES answers 413 naming it, keeping and reporting the records read before',
      async (name, type, format) => {
        const prefix = `bytes-${name.toLowerCase()}`;
        const records = sameLength(prefix, 800);
        const body = format(records);
        expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_BYTES);
        const res = await post('jobs', type, body).expect(413);
        expectErrorShape(res.body, 413);
        expect(res.headers.connection).toBe('close');
        expect(res.body.details).toEqual([
          { field: 'body', message: `at most ${MAX_BYTES} bytes (INGEST_MAX_BYTES) are read from one upload` },
        ]);
        // Every record that ends within the limit is read; the one it cuts through is not.
        const header = type === 'text/csv' ? Buffer.byteLength(body.split('\n')[0]) + 1 : 0;
        const lineBytes = Buffer.byteLength(format([records[0]])) - header;
        const expected = Math.floor((MAX_BYTES - header) / lineBytes);
        expect(await jobsLike(`${prefix}-`)).toBe(expected);
        const history = await run(runIdOf(res.body.message));
        expect(history.counts.records).toMatchObject({ inserted: expected, total: expected });
        expect(res.body.message).toMatch(/cut off at the byte limit/);
      },
    );

    it('takes an upload of exactly INGEST_MAX_BYTES', async () => {
      const one = toNdjson([jobPayload({ job_id: 'exact-bytes' })]);
      const body = one + ' '.repeat(MAX_BYTES - Buffer.byteLength(one) - 1) + '\n';
      expect(Buffer.byteLength(body)).toBe(MAX_BYTES);
      const res = await post('jobs', 'application/x-ndjson', body).expect(200);
      expect(res.body.result.jobs).toMatchObject({ inserted: 1, total: 1 });
    });

    it.each([
      ['NDJSON', 'application/x-ndjson', ''],
      ['CSV', 'text/csv', `${JOB_FIELDS.join(',')}\n`],
    ])('%s: refuses 10,000 blank lines with 413 at INGEST_MAX_RECORDS', async (_name, type, head) => {
      const body = head + '\n'.repeat(10_000);
      expect(Buffer.byteLength(body)).toBeLessThan(MAX_BYTES);
      const res = await post('jobs', type, body).expect(413);
      expect(res.body.details).toEqual([
        {
          field: 'body',
          message: `at most ${MAX_RECORDS} records or lines, blank ones included (INGEST_MAX_RECORDS), are read from one upload`,
        },
      ]);
    });

    it('refuses a stream of whitespace lines the same way', async () => {
      const res = await post('jobs', 'application/x-ndjson', '  \t \r\n'.repeat(5_000)).expect(413);
      expect(res.body.details[0].message).toMatch(/INGEST_MAX_RECORDS/);
    });

    it('keeps blank lines harmless in a normal file: between records, around them and at the end', async () => {
      const [a, b] = [jobPayload({ job_id: 'blank-a' }), jobPayload({ job_id: 'blank-b' })];
      const ndjson = `\n${JSON.stringify(a)}\n\n  \n${JSON.stringify(b)}\n\n`;
      const res = await post('jobs', 'application/x-ndjson', ndjson).expect(200);
      expect(res.body).toMatchObject({
        status: 'success',
        result: { jobs: { inserted: 2, failed: 0, total: 2 }, errors: [] },
      });
      const csv = toCsv([jobPayload({ job_id: 'blank-c' })]).replace('\n', '\n\n') + '\n';
      const fromCsv = await post('jobs', 'text/csv', csv).expect(200);
      expect(fromCsv.body.result.jobs).toMatchObject({ inserted: 1, failed: 0, total: 1 });
    });
  });

  describe("a job's GPU count has at most 6 decimals", () => {
    // Its GPU-hours, and the sums of its cell, team, model and labels, would carry them all. A CSV
    // writes numbers out (no exponent), so its smallest count is written as digits.
    it.each([
      ['NDJSON', 'application/x-ndjson', 1e-300, (records: Record<string, unknown>[]) => toNdjson(records)],
      ['CSV', 'text/csv', `0.${'0'.repeat(40)}1`, toCsv],
    ])(
      '%s: %p and 0.0000001 GPUs are record errors naming gpu_count; 0.142857 goes in',
      async (name, type, tiny, body) => {
        const prefix = `gpu-decimals-${name.toLowerCase()}`;
        const records = [tiny, '0.0000001', 0.142857].map((gpu_count, i) =>
          jobPayload({ job_id: `${prefix}-${i}`, gpu_count }),
        );
        const res = await post('jobs', type, body(records)).expect(200);
        expect(res.body.result.jobs).toMatchObject({ inserted: 1, failed: 2, total: 3 });
        expect(res.body.result.errors).toEqual(
          [0, 1].map((index) => ({
            index,
            job_id: `${prefix}-${index}`,
            field: 'gpu_count',
            message: 'gpu_count must have at most 6 decimals',
          })),
        );
        const stored = await t.db.query(`SELECT gpu_count::text AS gpu_count FROM jobs WHERE job_id LIKE $1`, [
          `${prefix}-%`,
        ]);
        expect(stored).toEqual([{ gpu_count: '0.142857' }]);
      },
    );
  });
});
