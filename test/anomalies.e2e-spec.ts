import { randomUUID } from 'node:crypto';
import { AllocationService } from '../src/allocation/allocation.service';
import { AnomaliesService, SeriesRow } from '../src/analytics/anomalies.service';
import { addDays } from '../src/common/calendar';
import * as anomalyMath from '../src/analytics/anomaly-math';
import { expectErrorShape } from './support/expectations';
import {
  adminAuth,
  createDailyCosts,
  createJob,
  createSnapshot,
  createTeam,
  memberAuth,
  TeamRow,
} from './support/factories';
import { createTestApp, TestApp } from './support/test-app';
import { TurnCounter } from './support/turn-counter';

/**
 * Eight weeks (2026-01-05, a Monday, to 2026-03-01), each team alone in its own cell, so a
 * team's cost on a day is that day's snapshot. The first four weeks are history; the last four
 * are judged (start=2026-02-02, 28 days later).
 *  - spiky, aws/h100: $500 a day; on Wednesday 2026-02-18 $3,000, shared by its daily job
 *    (10 GPU-h) and two extra jobs (80 and 10 GPU-h): $300, $2,400, $300.
 *  - flat, aws/a100: $400 every day.
 *  - weekly, gcp/h100: $1,000 on weekdays, $150 at weekends, each day ±5 %.
 *  - small, gcp/a100: $100 a day; on 2026-02-18 $140 (a score of 8, but only $40 more).
 *  - mixed, azure/h100: $1,000 a day split between a `project=atlas` and a `project=steady` job,
 *    10 GPU-h each; on 2026-02-18 the atlas job runs 20 GPU-h, so atlas costs $666.67 and steady
 *    $333.33 while the team's total stays flat.
 *  - twice, azure/a100: $500 a day; $2,000 on Tuesday 2026-02-10 and $1,000 on Wednesday
 *    2026-02-25: two anomalies, a change of $1,500 and one of $500.
 *    From Monday 2026-01-26 a `project=nova` job runs beside the team's daily job, as long: nova's
 *    own series starts that day at $250 a day ($1,000 on the 10th, $500 on the 25th).
 * Defaults: ANOMALY_MIN_USD 50, ANOMALY_MIN_SCORE 4, 28 days of history, at least 14.
 */
describe('GET /analytics/anomalies', () => {
  let t: TestApp;
  let admin: string;
  let spiky: TeamRow;
  let flat: TeamRow;
  let weekly: TeamRow;
  let small: TeamRow;
  let mixed: TeamRow;
  let twice: TeamRow;
  const SPIKE_DAY = '2026-02-18';
  const NOVA_FROM = '2026-01-26';
  const range = 'start=2026-02-02&end=2026-03-01';
  const from = '2026-01-05';
  const days = 56;

  beforeAll(async () => {
    t = await createTestApp();
    spiky = await createTeam(t.db, { name: 'spiky' });
    flat = await createTeam(t.db, { name: 'flat' });
    weekly = await createTeam(t.db, { name: 'weekly' });
    small = await createTeam(t.db, { name: 'small' });
    await createDailyCosts(t.db, spiky.id, {
      provider: 'aws',
      gpu_type: 'h100',
      from,
      days,
      costOf: (day) => (day === SPIKE_DAY ? 3000 : 500),
    });
    await createJob(t.db, spiky.id, {
      job_id: 'spike-big',
      model_name: 'mixtral-8x22b',
      provider: 'aws',
      gpu_type: 'h100',
      gpu_count: 8,
      start_time: `${SPIKE_DAY}T02:00:00Z`,
      end_time: `${SPIKE_DAY}T12:00:00Z`,
    });
    await createJob(t.db, spiky.id, {
      job_id: 'spike-small',
      model_name: 'bert-base',
      provider: 'aws',
      gpu_type: 'h100',
      gpu_count: 2,
      start_time: `${SPIKE_DAY}T05:00:00Z`,
      end_time: `${SPIKE_DAY}T10:00:00Z`,
    });
    await createDailyCosts(t.db, flat.id, { provider: 'aws', gpu_type: 'a100', from, days, costOf: () => 400 });
    await createDailyCosts(t.db, weekly.id, {
      provider: 'gcp',
      gpu_type: 'h100',
      from,
      days,
      // i = 0 is a Monday; the jitter repeats every 5 days, out of step with the week.
      costOf: (_day, i) => (i % 7 >= 5 ? 150 : 1000) * (1 + ((i % 5) - 2) * 0.025),
    });
    await createDailyCosts(t.db, small.id, {
      provider: 'gcp',
      gpu_type: 'a100',
      from,
      days,
      costOf: (day) => (day === SPIKE_DAY ? 140 : 100),
    });
    mixed = await createTeam(t.db, { name: 'mixed' });
    for (let i = 0; i < days; i++) {
      const day = addDays(from, i);
      const cell = { provider: 'azure', gpu_type: 'h100' };
      await createSnapshot(t.db, { entry_date: day, ...cell, cost_usd: 1000 });
      const hours = { start_time: `${day}T00:00:00Z`, end_time: `${day}T10:00:00Z` };
      await createJob(t.db, mixed.id, { job_id: `steady-${day}`, ...cell, ...hours, labels: { project: 'steady' } });
      await createJob(t.db, mixed.id, {
        job_id: `atlas-${day}`,
        model_name: 'llama-3-70b',
        ...cell,
        ...hours,
        ...(day === SPIKE_DAY ? { end_time: `${day}T20:00:00Z` } : {}),
        labels: { project: 'atlas', stage: 'train' },
      });
    }
    twice = await createTeam(t.db, { name: 'twice' });
    const twiceCosts: Record<string, number> = { '2026-02-10': 2000, '2026-02-25': 1000 };
    await createDailyCosts(t.db, twice.id, {
      provider: 'azure',
      gpu_type: 'a100',
      from,
      days,
      costOf: (day) => twiceCosts[day] ?? 500,
    });
    for (let day = NOVA_FROM; day <= '2026-03-01'; day = addDays(day, 1)) {
      await createJob(t.db, twice.id, {
        job_id: `nova-${day}`,
        provider: 'azure',
        gpu_type: 'a100',
        start_time: `${day}T00:00:00Z`,
        end_time: `${day}T10:00:00Z`,
        labels: { project: 'nova' },
      });
    }
    await t.app.get(AllocationService).rebuild();
    admin = (await adminAuth(t)).header;
  });

  afterAll(() => t?.close());

  const get = (query: string, auth = admin) =>
    t.http.get(`/api/v1/analytics/anomalies?${query}`).set('Authorization', auth);

  it('finds the planted spike: its day, cell, direction, size and costliest jobs', async () => {
    const res = await get(`${range}&team_id=${spiky.id}`).expect(200);
    expect(res.body).toEqual({
      total: 1,
      rows: [
        {
          day: SPIKE_DAY,
          team_id: spiky.id,
          team_name: 'spiky',
          provider: 'aws',
          gpu_type: 'h100',
          cost_usd: 3000,
          expected_usd: 500,
          // |3000 − 500| ÷ 5 % of 500: a flat history has no spread of its own.
          score: 100,
          direction: 'up',
          top_jobs: [
            { job_id: 'spike-big', model_name: 'mixtral-8x22b', cost_usd: 2400 },
            expect.objectContaining({ cost_usd: 300 }),
            expect.objectContaining({ cost_usd: 300 }),
          ],
        },
      ],
    });
  });

  const rowsOf = async (team: TeamRow) => (await get(`${range}&team_id=${team.id}`).expect(200)).body.rows;

  it('reports nothing for a flat history', async () => {
    expect(await rowsOf(flat)).toEqual([]);
  });

  it('reports nothing for a steady weekly pattern: weekends are judged against weekends', async () => {
    expect(await rowsOf(weekly)).toEqual([]);
  });

  it('does not report a change below the dollar minimum, however unusual', async () => {
    expect(await rowsOf(small)).toEqual([]);
  });

  it('is the same rule the alerts call in-process', async () => {
    const rows = await t.app.get(AnomaliesService).find({ start: '2026-02-02', end: '2026-03-01' });
    expect(rows.map((r) => [r.day, r.team_name, r.direction])).toEqual([
      ['2026-02-10', 'twice', 'up'],
      [SPIKE_DAY, 'spiky', 'up'],
      ['2026-02-25', 'twice', 'up'],
    ]);
  });

  describe('limit', () => {
    const summary = (rows: { day: string; team_name: string; top_jobs: unknown[] }[]) =>
      rows.map((r) => [r.day, r.team_name, r.top_jobs.length > 0]);

    it('answers every anomaly found, by day, while they number no more than the default 500', async () => {
      const res = await get(range).expect(200);
      expect(res.body.total).toBe(3);
      expect(summary(res.body.rows)).toEqual([
        ['2026-02-10', 'twice', true],
        [SPIKE_DAY, 'spiky', true],
        ['2026-02-25', 'twice', true],
      ]);
    });

    it('keeps the largest changes, still by day, and total counts every anomaly found', async () => {
      // Changes: spiky $2,500, twice $1,500 on the 10th and $500 on the 25th.
      const two = await get(`${range}&limit=2`).expect(200);
      expect(two.body.total).toBe(3);
      expect(summary(two.body.rows)).toEqual([
        ['2026-02-10', 'twice', true],
        [SPIKE_DAY, 'spiky', true],
      ]);
      const one = await get(`${range}&limit=1`).expect(200);
      expect(one.body.total).toBe(3);
      expect(summary(one.body.rows)).toEqual([[SPIKE_DAY, 'spiky', true]]);
    });

    it.each(['0', '5001', '2.5', 'all'])('refuses limit=%s naming limit', async (limit) => {
      const res = await get(`${range}&limit=${limit}`).expect(400);
      expectErrorShape(res.body, 400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(['limit']);
    });
  });

  it('lets the process answer others while it scores many series', async () => {
    // 40 flat series over the four priced cells, given straight to the search.
    const cells = [
      ['aws', 'h100'],
      ['aws', 'a100'],
      ['gcp', 'h100'],
      ['gcp', 'a100'],
    ];
    const series: SeriesRow[] = Array.from({ length: 40 }, (_, i) => ({
      team_id: randomUUID(),
      provider: cells[i % 4][0],
      gpu_type: cells[i % 4][1],
      offsets: Array.from({ length: days }, (_, d) => d),
      costs: Array.from({ length: days }, () => 100),
    }));
    const turns = new TurnCounter();
    const scoredPerTurn = new Map<number, number>();
    const score = anomalyMath.findAnomalies;
    const scoring = jest.spyOn(anomalyMath, 'findAnomalies');
    scoring.mockImplementation((...args) => {
      scoredPerTurn.set(turns.turn, (scoredPerTurn.get(turns.turn) ?? 0) + 1);
      return score(...args);
    });
    try {
      await t.app
        .get(AnomaliesService)
        .findIn({ start: '2026-02-02', end: '2026-03-01' }, () => Promise.resolve(series));
    } finally {
      scoring.mockRestore();
      turns.stop();
    }
    expect([...scoredPerTurn.values()].reduce((a, b) => a + b, 0)).toBe(40);
    expect(Math.max(...scoredPerTurn.values())).toBeLessThanOrEqual(10);
  });

  describe('label filters', () => {
    it("judge the labelled jobs' own series: a spike of one project that the team's total hides", async () => {
      expect(await rowsOf(mixed)).toEqual([]);
      const atlas = await get(`${range}&label.project=atlas`).expect(200);
      expect(atlas.body.rows).toEqual([
        {
          day: SPIKE_DAY,
          team_id: mixed.id,
          team_name: 'mixed',
          provider: 'azure',
          gpu_type: 'h100',
          cost_usd: 666.67,
          expected_usd: 500,
          // |666.67 − 500| ÷ 5 % of 500.
          score: 6.67,
          direction: 'up',
          // Only the labelled jobs: the steady job shared the cell that day and is not named.
          top_jobs: [{ job_id: `atlas-${SPIKE_DAY}`, model_name: 'llama-3-70b', cost_usd: 666.67 }],
        },
      ]);
    });

    it('take every filter given, and find the other project falling on the same day', async () => {
      const steady = await get(`${range}&label.project=steady`).expect(200);
      expect(
        steady.body.rows.map((r: { day: string; cost_usd: number; direction: string }) => [
          r.day,
          r.cost_usd,
          r.direction,
        ]),
      ).toEqual([[SPIKE_DAY, 333.33, 'down']]);
      const both = await get(`${range}&label.project=atlas&label.stage=train`).expect(200);
      expect(both.body.rows.map((r: { team_name: string }) => r.team_name)).toEqual(['mixed']);
      const none = await get(`${range}&label.project=atlas&label.stage=serve`).expect(200);
      expect(none.body.rows).toEqual([]);
    });

    it("judge a label's series from its first day with cost: its start is no rise from $0", async () => {
      // Before the 26th nova had no jobs: its first days (judged from 2 February on) would have been
      // rises from $0. From two weeks on it is judged against its own days, and both spikes show.
      const nova = await get(`${range}&label.project=nova`).expect(200);
      expect(
        nova.body.rows.map((r: { day: string; cost_usd: number; expected_usd: number; direction: string }) => [
          r.day,
          r.cost_usd,
          r.expected_usd,
          r.direction,
        ]),
      ).toEqual([
        ['2026-02-10', 1000, 250, 'up'],
        ['2026-02-25', 500, 250, 'up'],
      ]);
    });

    it('are refused naming labels when malformed', async () => {
      const res = await get(`${range}&label.Project=atlas`).expect(400);
      expectErrorShape(res.body, 400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(['labels']);
    });
  });

  describe('members', () => {
    it("see their own team's anomalies without naming it", async () => {
      const member = (await memberAuth(t, spiky.id)).header;
      const res = await get(range, member).expect(200);
      expect(res.body.rows.map((r: { team_id: string }) => r.team_id)).toEqual([spiky.id]);
    });

    it("see nothing of another team's anomalies", async () => {
      const member = (await memberAuth(t, flat.id)).header;
      const res = await get(range, member).expect(200);
      expect(res.body.rows).toEqual([]);
    });

    it("are refused another team's team_id", async () => {
      const member = (await memberAuth(t, flat.id)).header;
      const res = await get(`${range}&team_id=${spiky.id}`, member).expect(403);
      expectErrorShape(res.body, 403);
    });
  });

  it('names the bad parameter', async () => {
    const missing = await get('end=2026-03-01').expect(400);
    expect(JSON.stringify(missing.body)).toContain('start');
    const team = await get(`${range}&team_id=nope`).expect(400);
    expect(JSON.stringify(team.body)).toContain('team_id must be a UUID');
  });

  it('needs a token', async () => {
    await t.http.get(`/api/v1/analytics/anomalies?${range}`).expect(401);
  });
});
