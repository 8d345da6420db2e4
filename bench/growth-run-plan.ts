import { addDays } from '../src/common/calendar';
import { BenchJob, JobsSpec } from './dataset';

/**
 * The dataset of a growth run: a stage of M jobs and the other N − M jobs over the same days
 * (different seeds and job ids, the same distributions), and one upload day after each stage.
 */

export interface GrowthPlan {
  firstDay: string;
  lastDay: string;
  /** The first M jobs: measured alone first. */
  stage: JobsSpec;
  /** The other N − M jobs, loaded onto the stage. */
  rest: JobsSpec;
  /**
   * One day of jobs uploaded after each stage (the day after the dataset, then the day after
   * that). Both have the same size, a day at the stage's density: the figure measures how the
   * refresh's cost grows with the data around it, not with what is uploaded.
   */
  days: [JobsSpec, JobsSpec];
}

export function planGrowth(options: {
  jobs: number;
  stageJobs: number;
  days: number;
  lastDay: string;
  seed: number;
}): GrowthPlan {
  const firstDay = addDays(options.lastDay, -(options.days - 1));
  // Nothing ends later than the end of the second upload day; the real clock is past it.
  const horizon = addDays(options.lastDay, 3);
  const stage: JobsSpec = {
    jobs: options.stageJobs,
    firstDay,
    days: options.days,
    horizon,
    seed: options.seed,
    idPrefix: 'bench',
  };
  const day = (offset: 1 | 2): JobsSpec => ({
    jobs: Math.max(1, Math.round(options.stageJobs / options.days)),
    firstDay: addDays(options.lastDay, offset),
    days: 1,
    horizon,
    seed: options.seed + 2 + offset,
    idPrefix: offset === 1 ? 'bench-day' : 'bench-day-2',
  });
  return {
    firstDay,
    lastDay: options.lastDay,
    stage,
    rest: { ...stage, jobs: options.jobs - options.stageJobs, seed: options.seed + 2, idPrefix: 'bench-more' },
    days: [day(1), day(2)],
  };
}

/**
 * Which upload a job goes in: the month it starts in. A backfill of millions of jobs is split
 * anyway (INGEST_MAX_BYTES, INGEST_MAX_RECORDS), and split by time each upload's refresh
 * re-prices its own month's cells; split at random, every upload would re-price the whole
 * history (docs/scaling.md).
 */
export const uploadMonthOf = (job: BenchJob) => job.start_time.slice(0, 7);
