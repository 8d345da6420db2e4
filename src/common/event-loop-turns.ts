import { setImmediate } from 'node:timers/promises';

/**
 * A loop over many rows held the event loop from its first row to its last, and the process
 * answered nothing else meanwhile (a page of the FOCUS export, a year of anomaly series).
 * `await turns.next()` in such a loop gives the event loop a turn once every `every` calls.
 */
export class EventLoopTurns {
  private calls = 0;

  constructor(private readonly every: number) {}

  async next(): Promise<void> {
    if (++this.calls % this.every === 0) await setImmediate();
  }
}
