import { DAY_MS } from '../common/calendar';

/** A job interval as a bulk load marks it: its provider × GPU type and instants (`endMs` null while it runs). */
export interface IntervalOnGpu {
  provider: string;
  gpuType: string;
  startMs: number;
  endMs: number | null;
}

/**
 * A run of UTC days of one provider × GPU type to be recomputed: `lastDay` null marks the
 * running jobs' run, which lasts until the day the database's clock says it is.
 */
export interface MarkedRun {
  provider: string;
  gpuType: string;
  /** `YYYY-MM-DD`. */
  firstDay: string;
  lastDay: string | null;
}

const dayOf = (ms: number) => Math.floor(ms / DAY_MS);
const dateOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/**
 * The runs of days a batch of a bulk load marks, computed here rather than in SQL: they are a few
 * rows, and sorting and joining 2,500 intervals took PostgreSQL 13 ms of every batch (5 s of a
 * million-job load, on the connections the writes need).
 *
 * Finished intervals of a provider × GPU type, in order of their days, share a run while each
 * starts at most `gapDays` days after every earlier one has ended: the days between are
 * recomputed for nothing, but a batch of jobs from all over a year marks a few runs instead of
 * a cell each. Running jobs use every day from their start to the present, so theirs is one run
 * from the earliest start (its end is the database's today, which this process's clock may not
 * agree with).
 */
export function markedRuns(intervals: IntervalOnGpu[], gapDays: number): MarkedRun[] {
  const finished = new Map<string, { provider: string; gpuType: string; days: [number, number][] }>();
  /** The earliest first day of each provider × GPU type's running jobs. */
  const running = new Map<string, { provider: string; gpuType: string; first: number }>();
  for (const i of intervals) {
    const gpu = `${i.provider}\u0000${i.gpuType}`;
    const first = dayOf(i.startMs);
    if (i.endMs === null) {
      const earliest = running.get(gpu);
      if (!earliest || first < earliest.first) running.set(gpu, { provider: i.provider, gpuType: i.gpuType, first });
      continue;
    }
    const group = finished.get(gpu) ?? { provider: i.provider, gpuType: i.gpuType, days: [] };
    group.days.push([first, Math.max(first, dayOf(i.endMs))]);
    finished.set(gpu, group);
  }
  const runs: MarkedRun[] = [];
  for (const { provider, gpuType, days } of finished.values()) {
    days.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let [from, to] = days[0];
    const close = () => runs.push({ provider, gpuType, firstDay: dateOf(from), lastDay: dateOf(to) });
    for (const [first, last] of days) {
      if (first > to + gapDays + 1) {
        close();
        from = first;
      }
      to = Math.max(to, last);
    }
    close();
  }
  for (const { provider, gpuType, first } of running.values()) {
    runs.push({ provider, gpuType, firstDay: dateOf(first), lastDay: null });
  }
  return runs;
}
