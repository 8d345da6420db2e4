import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { RepeatingTask } from './alerts-scheduler';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A task that counts its runs and how many were going at once; each run lasts `ms`. */
function slowTask(ms: number) {
  const seen = { runs: 0, going: 0, mostAtOnce: 0 };
  const run = async () => {
    seen.runs += 1;
    seen.going += 1;
    seen.mostAtOnce = Math.max(seen.mostAtOnce, seen.going);
    await sleep(ms);
    seen.going -= 1;
  };
  return { seen, run };
}

describe('RepeatingTask', () => {
  const logger = new Logger('test');
  let registry: SchedulerRegistry;
  let task: RepeatingTask | undefined;

  beforeEach(() => {
    registry = new SchedulerRegistry();
  });
  afterEach(async () => {
    await task?.stop();
    jest.restoreAllMocks();
  });

  it('never starts a run while the last one is still going, however short the period', async () => {
    const { seen, run } = slowTask(40);
    task = new RepeatingTask(registry, 'slow', 0.005, run, logger);
    task.start();
    await sleep(300);
    expect(seen.runs).toBeGreaterThan(1);
    expect(seen.mostAtOnce).toBe(1);
  });

  it('is registered under its name, and stop waits for the run in progress and arms nothing after it', async () => {
    const { seen, run } = slowTask(100);
    task = new RepeatingTask(registry, 'delivery', 0.005, run, logger);
    task.start();
    expect(registry.getTimeouts()).toEqual(['delivery']);
    await sleep(30); // the first run is going
    await task.stop();
    expect(seen.going).toBe(0);
    const runs = seen.runs;
    await sleep(50);
    expect(seen.runs).toBe(runs);
    expect(registry.getTimeouts()).toEqual([]);
  });

  it('logs a failed run and runs again', async () => {
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    let runs = 0;
    task = new RepeatingTask(
      registry,
      'flaky',
      0.005,
      () => {
        runs += 1;
        return runs === 1 ? Promise.reject(new Error('database unavailable')) : Promise.resolve();
      },
      logger,
    );
    task.start();
    await sleep(100);
    expect(runs).toBeGreaterThan(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][1]).toBe('flaky failed; the next run will try again');
  });
});
