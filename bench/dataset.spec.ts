import { addDays } from '../src/common/calendar';
import {
  CATALOGUE,
  demandLevel,
  generateJobs,
  generateSnapshots,
  generateTeams,
  JobsSpec,
  planDatasets,
  WEEKEND_SHARE,
  YEARLY_GROWTH,
} from './dataset';
import { Random } from './random';

const spec: JobsSpec = {
  jobs: 20_000,
  firstDay: '2026-01-01',
  days: 30,
  horizon: '2026-02-01',
  seed: 7,
  idPrefix: 'bench',
};
const jobs = [...generateJobs(spec)];

describe('synthetic dataset', () => {
  it('is byte-identical for the same seed and different for another', () => {
    expect(JSON.stringify([...generateJobs(spec)])).toBe(JSON.stringify(jobs));
    expect(JSON.stringify([...generateJobs({ ...spec, seed: 8 })])).not.toBe(JSON.stringify(jobs));
  });

  it('has the catalogue the issue asks for: 50 teams, 40 models, 3 providers, 6 GPU types, all used', () => {
    expect(new Set(CATALOGUE.teams).size).toBe(50);
    expect(new Set(CATALOGUE.models).size).toBe(40);
    expect(CATALOGUE.providers).toHaveLength(3);
    expect(CATALOGUE.gpuTypes).toHaveLength(6);
    expect(new Set(jobs.map((j) => j.team_name)).size).toBe(50);
    expect(new Set(jobs.map((j) => j.model_name)).size).toBe(40);
    expect(new Set(jobs.map((j) => `${j.provider}/${j.gpu_type}`)).size).toBe(18);
    expect(generateTeams(7).map((t) => t.name)).toEqual(CATALOGUE.teams);
  });

  it('gives unique job ids in order', () => {
    expect(new Set(jobs.map((j) => j.job_id)).size).toBe(jobs.length);
    expect(jobs[0].job_id).toBe('bench-00001');
  });

  it('keeps about 2 % of jobs running, with no end time, and ends every other job', () => {
    const running = jobs.filter((j) => j.status === 'running');
    expect(running.length / jobs.length).toBeGreaterThan(0.015);
    expect(running.length / jobs.length).toBeLessThan(0.03);
    expect(running.every((j) => j.end_time === null)).toBe(true);
    expect(jobs.filter((j) => j.status !== 'running').every((j) => j.end_time !== null)).toBe(true);
    expect(new Set(jobs.map((j) => j.status))).toEqual(new Set(['running', 'completed', 'failed', 'cancelled']));
  });

  it('draws durations from minutes to days, with a median near 90 minutes', () => {
    const minutes = jobs
      .filter((j) => j.end_time)
      .map((j) => (Date.parse(j.end_time!) - Date.parse(j.start_time)) / 60_000)
      .sort((a, b) => a - b);
    expect(minutes[0]).toBeGreaterThanOrEqual(1);
    expect(minutes[minutes.length - 1]).toBeGreaterThan(2 * 24 * 60);
    expect(minutes[Math.floor(minutes.length / 2)]).toBeGreaterThan(70);
    expect(minutes[Math.floor(minutes.length / 2)]).toBeLessThan(110);
  });

  it('has fractional and multi-GPU counts', () => {
    const counts = new Set(jobs.map((j) => j.gpu_count));
    expect([...counts].some((c) => c < 1)).toBe(true);
    expect([...counts].some((c) => c >= 8)).toBe(true);
  });

  it('starts jobs inside the window and ends none after the horizon, in UTC ISO-8601', () => {
    const first = Date.parse('2026-01-01T00:00:00Z');
    const windowEnd = Date.parse('2026-01-31T00:00:00Z');
    for (const j of jobs) {
      expect(j.start_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(Date.parse(j.start_time)).toBeGreaterThanOrEqual(first);
      expect(Date.parse(j.start_time)).toBeLessThan(windowEnd);
      if (j.end_time) expect(Date.parse(j.end_time)).toBeLessThanOrEqual(Date.parse('2026-02-01T00:00:00Z'));
    }
  });

  it('bills every (day, provider, GPU type) once, in cents', () => {
    const snapshots = [...generateSnapshots('2026-01-01', '2026-01-30', 7)];
    expect(snapshots).toHaveLength(30 * 18);
    expect(new Set(snapshots.map((s) => `${s.entry_date}/${s.provider}/${s.gpu_type}`)).size).toBe(30 * 18);
    expect(snapshots.every((s) => /^\d+\.\d{2}$/.test(s.cost_usd) && Number(s.cost_usd) > 0)).toBe(true);
  });
});

describe('weekly pattern and trend', () => {
  const isWeekend = (day: string) => [0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay());
  const year = [...generateJobs({ ...spec, jobs: 100_000, days: 364, horizon: '2026-12-31', runningShare: 0 })];
  const startsPerDay = new Map<string, number>();
  for (const j of year)
    startsPerDay.set(j.start_time.slice(0, 10), (startsPerDay.get(j.start_time.slice(0, 10)) ?? 0) + 1);
  const meanStarts = (days: string[]) => days.reduce((n, d) => n + (startsPerDay.get(d) ?? 0), 0) / days.length;
  const daysOf = (from: string, count: number) => Array.from({ length: count }, (_, i) => addDays(from, i));

  it('starts about 0.6 of a weekday’s jobs on a weekend day', () => {
    const days = daysOf('2026-01-01', 364);
    const ratio = meanStarts(days.filter(isWeekend)) / meanStarts(days.filter((d) => !isWeekend(d)));
    expect(ratio).toBeGreaterThan(WEEKEND_SHARE - 0.03);
    expect(ratio).toBeLessThan(WEEKEND_SHARE + 0.03);
  });

  it('grows jobs per day about 30 % a year', () => {
    // The last 13 weeks against the first 13: 39 weeks apart.
    const growth = meanStarts(daysOf('2026-10-01', 91)) / meanStarts(daysOf('2026-01-01', 91));
    const expected = (1 + YEARLY_GROWTH) ** ((39 * 7) / 365);
    expect(growth).toBeGreaterThan(expected - 0.04);
    expect(growth).toBeLessThan(expected + 0.04);
  });

  it('bills the fleet by demand: weekends at 0.6 of a weekday, a year later 1.3 times', () => {
    expect(demandLevel('2026-01-03') / demandLevel('2026-01-02')).toBeCloseTo(WEEKEND_SHARE, 2); // Sat / Fri
    expect(demandLevel('2027-01-01')).toBeCloseTo(1 + YEARLY_GROWTH, 9);
    // Eight weeks of bills: the mean weekend day against the mean weekday.
    const bills = new Map<string, number>();
    for (const s of generateSnapshots('2026-01-05', '2026-03-01', 7))
      bills.set(s.entry_date, (bills.get(s.entry_date) ?? 0) + Number(s.cost_usd));
    const days = [...bills.keys()];
    const mean = (ds: string[]) => ds.reduce((sum, d) => sum + bills.get(d)!, 0) / ds.length;
    const ratio = mean(days.filter(isWeekend)) / mean(days.filter((d) => !isWeekend(d)));
    expect(ratio).toBeGreaterThan(WEEKEND_SHARE - 0.02);
    expect(ratio).toBeLessThan(WEEKEND_SHARE + 0.02);
  });
});

describe('planDatasets', () => {
  const plan = planDatasets({ jobs: 1_000_000, days: 365, lastDay: '2026-11-26', seed: 42 });

  it('spans `days` days ending on lastDay, with the extra day right after', () => {
    expect(plan.firstDay).toBe(addDays('2026-11-26', -364));
    expect(plan.extraDay).toBe('2026-11-27');
    expect(plan.main).toMatchObject({ jobs: 1_000_000, firstDay: plan.firstDay, days: 365 });
  });

  it('sizes the growth baseline at N/50 and the extra day at one day of jobs', () => {
    expect(plan.small.jobs).toBe(20_000);
    expect(plan.extra).toMatchObject({ jobs: 2740, firstDay: '2026-11-27', days: 1 });
    expect(new Set([plan.main.idPrefix, plan.small.idPrefix, plan.extra.idPrefix]).size).toBe(3);
  });
});

describe('Random', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const a = new Random(1);
    const b = new Random(1);
    const draws = Array.from({ length: 1000 }, () => a.next());
    expect(draws).toEqual(Array.from({ length: 1000 }, () => b.next()));
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
