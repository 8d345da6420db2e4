/**
 * Counts turns of the event loop from its making until stop(): a test reads `turn` while work
 * runs to tell how much of the work happened in one turn.
 */
export class TurnCounter {
  private turns = 0;
  private ticking = true;

  constructor() {
    const tick = () => {
      this.turns++;
      if (this.ticking) setImmediate(tick);
    };
    setImmediate(tick);
  }

  get turn(): number {
    return this.turns;
  }

  stop(): void {
    this.ticking = false;
  }
}
