import { generateJobs } from './dataset';
import { planGrowth, uploadMonthOf } from './growth-run-plan';

describe('planGrowth', () => {
  const plan = planGrowth({ jobs: 10_000, stageJobs: 1_000, days: 365, lastDay: '2026-11-30', seed: 42 });

  it('splits the jobs into a stage and the rest over the same days, with ids that never collide', () => {
    expect(plan.stage).toMatchObject({ jobs: 1_000, firstDay: '2025-12-01', days: 365 });
    expect(plan.rest).toMatchObject({ jobs: 9_000, firstDay: '2025-12-01', days: 365 });
    const ids = new Set([...generateJobs(plan.stage), ...generateJobs(plan.rest)].map((j) => j.job_id));
    expect(ids.size).toBe(10_000);
  });

  it('draws the rest from another stream than the stage', () => {
    const [first] = generateJobs(plan.stage);
    const [other] = generateJobs(plan.rest);
    expect(other.start_time).not.toBe(first.start_time);
  });

  it("uploads one day of the stage's density after each stage, on the two days after the dataset", () => {
    expect(plan.days.map((d) => [d.firstDay, d.days, d.jobs])).toEqual([
      ['2026-12-01', 1, 3],
      ['2026-12-02', 1, 3],
    ]);
    // Everything has ended, or is running, by the end of the second day.
    for (const spec of [plan.stage, plan.rest, ...plan.days]) expect(spec.horizon).toBe('2026-12-03');
  });
});

describe('uploadMonthOf', () => {
  it('puts a job in the upload of the month it starts in', () => {
    const [job] = generateJobs({
      jobs: 1,
      firstDay: '2026-03-31',
      days: 1,
      horizon: '2026-04-20',
      seed: 1,
      idPrefix: 'x',
    });
    expect(uploadMonthOf(job)).toBe('2026-03');
  });
});
