import { Random } from '../bench/random';
import { jobDayCost, sameCell } from '../src/allocation/allocation-reads';
import { AllocationService } from '../src/allocation/allocation.service';
import { allocationState } from './support/allocation-state';
import { adminAuth, costPayload, jobPayload, memberAuth, postIngest, toNdjson } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Reports by team and model over many days read month rows (allocation_team_model_months) for
 * the months they mostly cover, less the days outside the range. Whatever the range, the answer
 * must be the job-day rows' own: cost, GPU-hours and distinct jobs per team and model, with jobs
 * that run across month ends counted once. Three months of jobs of two teams and three models
 * on two cells, jobs of up to five days, a bill every day.
 */
describe('Team × model reports over months', () => {
  let t: TestApp;
  let admin: string;

  const FIRST_DAY = Date.parse('2026-01-01T00:00:00Z');
  const day = (i: number) => new Date(FIRST_DAY + i * 86_400_000).toISOString().slice(0, 10);
  const cells = [
    { provider: 'aws', gpu_type: 'h100' },
    { provider: 'gcp', gpu_type: 'a100' },
  ];

  function jobsOf(count: number, seed: number, idPrefix: string): Record<string, unknown>[] {
    // Seeded, so that the data is the same on every run.
    const random = new Random(seed);
    const next = () => random.next();
    return Array.from({ length: count }, (_, i) => {
      const start = FIRST_DAY + Math.floor(next() * 88 * 24) * 3_600_000;
      const hours = 1 + Math.floor(next() * 120);
      return jobPayload({
        job_id: `${idPrefix}-${i}`,
        team_name: next() < 0.5 ? 'months-vision' : 'months-nlp',
        model_name: ['llama', 'bert', 'vit'][Math.floor(next() * 3)],
        ...cells[Math.floor(next() * 2)],
        gpu_count: 1 + Math.floor(next() * 8),
        start_time: new Date(start).toISOString(),
        end_time: new Date(start + hours * 3_600_000).toISOString(),
      });
    });
  }

  const bills = (multiplier: number) =>
    Array.from({ length: 95 }, (_, i) =>
      cells.map((c, k) =>
        costPayload({ ...c, entry_date: day(i), cost_usd: (500 + ((i * 37 + k * 11) % 90)) * multiplier }),
      ),
    ).flat();

  /** The job-day rows' own answer: what the month rows must add up to. */
  async function reference(start: string, end: string, teamId?: string) {
    const rows = await t.db.query(
      `SELECT a.team_id::text AS team_id, a.model_name, round(sum(${jobDayCost('a.gpu_hours', 'c.rate')}), 2)::float8 AS cost_usd,
              round(sum(a.gpu_hours), 4)::float8 AS gpu_hours, count(DISTINCT a.job_uuid)::int AS job_count
       FROM job_day_allocations a JOIN allocation_cells c ON ${sameCell('c', 'a')}
       WHERE a.day BETWEEN $1::date AND $2::date AND ($3::uuid IS NULL OR a.team_id = $3::uuid)
       GROUP BY 1, 2 ORDER BY 1, 2`,
      [start, end, teamId ?? null],
    );
    return rows;
  }

  async function answer(start: string, end: string, as = admin) {
    const { body } = await t.http
      .get(`/api/v1/analytics/cost?start=${start}&end=${end}&group_by=team,model`)
      .set('Authorization', as)
      .expect(200);
    return body.rows
      .map((r: Record<string, unknown>) => ({
        team_id: r.team_id,
        model_name: r.model_name,
        cost_usd: r.cost_usd,
        gpu_hours: r.gpu_hours,
        job_count: r.job_count,
      }))
      .sort((a: { team_id: string; model_name: string }, b: { team_id: string; model_name: string }) =>
        a.team_id === b.team_id ? (a.model_name < b.model_name ? -1 : 1) : a.team_id < b.team_id ? -1 : 1,
      );
  }

  // A whole quarter; whole February; more than half of February with the end of January; thirty
  // days from the 2nd; mid-January to mid-March; half of February or less (days only); a week
  // and three days across a month's end (day rows summed a group at a time).
  const RANGES: [string, string][] = [
    ['2026-01-01', '2026-03-31'],
    ['2026-02-01', '2026-02-28'],
    ['2026-01-29', '2026-02-27'],
    ['2026-02-02', '2026-03-03'],
    ['2026-01-10', '2026-03-20'],
    ['2026-02-10', '2026-02-23'],
    ['2026-02-24', '2026-03-02'],
    ['2026-02-27', '2026-03-01'],
  ];

  beforeAll(async () => {
    t = await createTestApp();
    admin = (await adminAuth(t)).header;
    await postIngest(t, 'costs', 'application/x-ndjson', toNdjson(bills(1))).expect(200);
    await postIngest(t, 'jobs', 'application/x-ndjson', toNdjson(jobsOf(300, 7, 'month-job'))).expect(200);
  });
  afterAll(() => t.close());

  it.each(RANGES)('answers %s … %s as the job-day rows do, jobs across month ends counted once', async (start, end) => {
    const expected = await reference(start, end);
    expect(expected.length).toBeGreaterThan(3);
    expect(await answer(start, end)).toEqual(expected);
  });

  it('keeps the month rows right through changed jobs, bills and new jobs, as a rebuild would make them', async () => {
    const edited = jobsOf(300, 7, 'month-job')
      .filter((_, i) => i % 4 === 0)
      .map((job, i) => ({
        ...job,
        end_time: new Date(Date.parse(job.start_time as string) + (i + 2) * 3_600_000).toISOString(),
      }));
    await postIngest(t, 'jobs', 'application/x-ndjson', toNdjson([...edited, ...jobsOf(40, 99, 'month-late')])).expect(
      200,
    );
    await postIngest(t, 'costs', 'application/x-ndjson', toNdjson(bills(1.5).filter((_, i) => i % 9 === 0))).expect(
      200,
    );
    for (const [start, end] of RANGES) expect(await answer(start, end)).toEqual(await reference(start, end));

    const incremental = await allocationState(t.db);
    await t.app.get(AllocationService).rebuild();
    expect(await allocationState(t.db)).toEqual(incremental);
  });

  it('shows a member the month rows of its own team only', async () => {
    const [{ id }] = await t.db.query(`SELECT id FROM teams WHERE name = 'months-nlp'`);
    const member = (await memberAuth(t, id)).header;
    const rows = await answer('2026-01-05', '2026-03-25', member);
    expect(rows.map((r: { team_id: string }) => r.team_id)).toEqual(rows.map(() => id));
    expect(rows).toEqual(await reference('2026-01-05', '2026-03-25', id));
  });
});
