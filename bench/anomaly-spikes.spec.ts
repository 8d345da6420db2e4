import { scoreAnomalies } from './anomaly-figures';
import { billsOf, DailyUsage, planSpikes, teamCost, withSpikeBills, withSpikeJobs } from './anomaly-spikes';
import { CATALOGUE, generateJobs, generateSnapshots, JobsSpec } from './dataset';

const spec: JobsSpec = {
  jobs: 20_000,
  firstDay: '2026-01-01',
  days: 120,
  horizon: '2026-05-02',
  seed: 7,
  idPrefix: 'bench',
};
const lastDay = '2026-04-30';

function usageOf(jobs: Iterable<Parameters<DailyUsage['add']>[0]>) {
  const usage = new DailyUsage(spec.firstDay, spec.days);
  for (const job of jobs) usage.add(job, spec.horizon);
  return usage;
}

const before = usageOf(generateJobs(spec));
const snapshots = [...generateSnapshots(spec.firstDay, lastDay, 7)];
const options = { firstDay: spec.firstDay, days: spec.days, seed: 7, minUsd: 100, historyDays: 28 };
const spikes = planSpikes(before, billsOf(before, snapshots), options);

describe('planted anomaly spikes', () => {
  it('are the same for the same seed', () => {
    expect(JSON.stringify(planSpikes(before, billsOf(before, snapshots), options))).toBe(JSON.stringify(spikes));
  });

  it('come about once per team every two months, after the history, one per stretch', () => {
    // 92 judged days: two spikes per team.
    expect(spikes).toHaveLength(2 * CATALOGUE.teams.length);
    for (const team of CATALOGUE.teams) {
      const days = spikes.filter((s) => s.team_name === team).map((s) => s.day);
      expect(days).toHaveLength(2);
      expect(days.every((d) => d >= '2026-01-29' && d <= lastDay)).toBe(true);
    }
  });

  it('are 3–6 times the typical cost of a cell the team uses, at least the minimum', () => {
    // Within 0.1 %: the jobs last whole seconds.
    for (const s of spikes) {
      expect(s.extra_usd).toBeGreaterThanOrEqual(Math.max(options.minUsd, 3 * s.typical_usd) * 0.999);
      expect(s.extra_usd).toBeLessThanOrEqual(Math.max(options.minUsd, 6 * s.typical_usd) * 1.001);
    }
  });

  it('are jobs of the day, of the team and cell, ended within the day', () => {
    for (const s of spikes) {
      expect(s.jobs.length).toBeGreaterThan(0);
      for (const job of s.jobs) {
        expect(job).toEqual(
          expect.objectContaining({ team_name: s.team_name, provider: s.provider, gpu_type: s.gpu_type }),
        );
        expect(job.start_time.slice(0, 10)).toBe(s.day);
        expect(job.end_time!.slice(0, 10)).toBe(s.day);
      }
    }
  });

  it("raise the team's cost by the extra and leave every other team's cost as it was", () => {
    const after = usageOf(withSpikeJobs(generateJobs(spec), spikes));
    const billsBefore = billsOf(before, snapshots);
    const billsAfter = billsOf(after, withSpikeBills(snapshots, spikes));
    const s = spikes[0];
    const cell = before.cellOf(s.provider, s.gpu_type);
    const day = Math.round((Date.parse(`${s.day}T00:00:00Z`) - Date.parse(`${spec.firstDay}T00:00:00Z`)) / 86_400_000);
    CATALOGUE.teams.forEach((name, team) => {
      const spiked = spikes.filter((p) => p.team_name === name && p.day === s.day && p.provider === s.provider);
      const extra = spiked.filter((p) => p.gpu_type === s.gpu_type).reduce((a, p) => a + p.extra_usd, 0);
      const was = teamCost(before, billsBefore, team, cell, day);
      // Bills are written to the cent.
      expect(Math.abs(teamCost(after, billsAfter, team, cell, day) - (was + extra))).toBeLessThan(0.05);
    });
  });
});

describe('scoreAnomalies', () => {
  const spike = { day: '2026-02-10', team_name: 'a', provider: 'aws', gpu_type: 'h100' };
  const planted = [
    { ...spike, typical_usd: 10, extra_usd: 100, jobs: [] },
    { ...spike, team_name: 'b', typical_usd: 10, extra_usd: 100, jobs: [] },
  ];

  it('counts planted spikes reported up as found, and every other row as a false alarm', () => {
    const rows = [
      { ...spike, direction: 'up' as const },
      { ...spike, team_name: 'b', direction: 'down' as const },
      { ...spike, day: '2026-02-11', direction: 'up' as const },
    ];
    expect(scoreAnomalies(rows, planted, 2, 61)).toEqual(
      expect.objectContaining({ planted: 2, found: 1, reported: 3, falseAlarms: 2 }),
    );
    expect(scoreAnomalies(rows, planted, 2, 61).teamMonths).toBeCloseTo((2 * 61) / (365.25 / 12));
  });
});
