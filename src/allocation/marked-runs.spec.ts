import { IntervalOnGpu, markedRuns } from './marked-runs';

const at = (day: string, hour = 12) => Date.parse(`${day}T${String(hour).padStart(2, '0')}:00:00Z`);
const finished = (gpuType: string, from: string, to: string, provider = 'aws'): IntervalOnGpu => ({
  provider,
  gpuType,
  startMs: at(from, 10),
  endMs: at(to, 14),
});
const running = (gpuType: string, from: string): IntervalOnGpu => ({
  provider: 'aws',
  gpuType,
  startMs: at(from),
  endMs: null,
});

describe('markedRuns: the runs of days a bulk load batch marks', () => {
  it('joins finished intervals at most the gap apart, in order of their days whatever the batch order', () => {
    const runs = markedRuns(
      [
        finished('a100', '2026-03-22', '2026-03-31'),
        finished('a100', '2026-03-03', '2026-03-03'),
        finished('a100', '2026-03-01', '2026-03-01'),
        finished('a100', '2026-03-11', '2026-03-13'), // 7 days after the 3rd ended: the same run
      ],
      7,
    );
    expect(runs).toEqual([
      { provider: 'aws', gpuType: 'a100', firstDay: '2026-03-01', lastDay: '2026-03-13' },
      { provider: 'aws', gpuType: 'a100', firstDay: '2026-03-22', lastDay: '2026-03-31' }, // 8 days after
    ]);
  });

  it('keeps an interval inside a longer one in that one’s run', () => {
    const runs = markedRuns(
      [finished('a100', '2026-03-01', '2026-03-30'), finished('a100', '2026-03-05', '2026-03-06')],
      0,
    );
    expect(runs).toEqual([{ provider: 'aws', gpuType: 'a100', firstDay: '2026-03-01', lastDay: '2026-03-30' }]);
  });

  it('counts days in UTC, an interval ending at midnight on its last day', () => {
    const runs = markedRuns(
      [{ provider: 'aws', gpuType: 'a100', startMs: at('2026-03-01', 23), endMs: Date.parse('2026-03-02T00:00:00Z') }],
      0,
    );
    expect(runs).toEqual([{ provider: 'aws', gpuType: 'a100', firstDay: '2026-03-01', lastDay: '2026-03-02' }]);
  });

  it('marks each provider × GPU type apart', () => {
    const runs = markedRuns(
      [
        finished('a100', '2026-03-01', '2026-03-01'),
        finished('h100', '2026-03-02', '2026-03-02'),
        finished('a100', '2026-03-01', '2026-03-01', 'gcp'),
      ],
      7,
    );
    expect(runs.map((r) => `${r.provider}/${r.gpuType} ${r.firstDay}`).sort()).toEqual([
      'aws/a100 2026-03-01',
      'aws/h100 2026-03-02',
      'gcp/a100 2026-03-01',
    ]);
  });

  it('gives running jobs one run from the earliest start, open to the database’s today', () => {
    const runs = markedRuns(
      [running('a100', '2026-03-05'), running('a100', '2026-03-02'), finished('a100', '2026-03-01', '2026-03-01')],
      0,
    );
    expect(runs).toEqual([
      { provider: 'aws', gpuType: 'a100', firstDay: '2026-03-01', lastDay: '2026-03-01' },
      { provider: 'aws', gpuType: 'a100', firstDay: '2026-03-02', lastDay: null },
    ]);
  });

  it('marks nothing for no intervals', () => {
    expect(markedRuns([], 7)).toEqual([]);
  });
});
