import { Writable } from 'node:stream';
import { FocusExportService } from '../src/analytics/focus-export.service';
import { costPayload, jobPayload, postIngest, toNdjson } from './support/factories';
import { within } from './support/deadline';
import { createTestApp, TestApp } from './support/test-app';
import { TurnCounter } from './support/turn-counter';

/** More job-days than one page of the export (5,000), all in one cell. */
const JOBS = 5_001;
const DAY = '2026-01-03';

/**
 * A sink that takes the first chunk and then, when `holding`, stops taking any until `resume()`:
 * the export reads its first page, writes a little of it, and waits on the sink, as it does for a
 * slow client.
 */
class Sink extends Writable {
  readonly chunks: Buffer[] = [];
  private held?: () => void;
  private resolveFirst!: () => void;
  readonly firstChunk = new Promise<void>((resolve) => (this.resolveFirst = resolve));

  constructor(private readonly holding: boolean) {
    super({ highWaterMark: 1 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.chunks.push(chunk);
    if (this.chunks.length === 1 && this.holding) {
      this.held = () => done();
      this.resolveFirst();
    } else {
      done();
    }
  }

  resume(): void {
    this.held?.();
  }

  /** Σ BilledCost of the CSV's job rows. */
  billed(): number {
    const [header, ...lines] = Buffer.concat(this.chunks).toString('utf8').trim().split('\n');
    const column = header.split(',').indexOf('BilledCost');
    return lines.reduce((sum, line) => sum + Number(line.split(',')[column]), 0);
  }
}

/** A sink that takes every chunk at once and counts the CSV lines written in each turn of the event loop. */
class TurnCountingSink extends Sink {
  private readonly turns = new TurnCounter();
  readonly linesPerTurn = new Map<number, number>();

  constructor() {
    super(false);
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const lines = chunk.toString('utf8').split('\n').length - 1;
    this.linesPerTurn.set(this.turns.turn, (this.linesPerTurn.get(this.turns.turn) ?? 0) + lines);
    super._write(chunk, encoding, done);
  }

  override _final(done: () => void): void {
    this.turns.stop();
    done();
  }
}

/**
 * A FOCUS export is one snapshot of the allocation: an upload that lands while it streams changes
 * none of its rows, so the file sums to the costs as they were when it began. And exports hold a
 * connection each for as long as they stream, so only a share of the pool may: past it an export
 * waits a few seconds for a slot, then answers 503.
 */
describe('FOCUS export: one snapshot, and a bounded number at once', () => {
  let t: TestApp;
  let exports: FocusExportService;

  beforeAll(async () => {
    // A pool of 4: one export at a time.
    t = await createTestApp({ DB_POOL_SIZE: '4' });
    exports = t.app.get(FocusExportService);
    const jobs = Array.from({ length: JOBS }, (_, i) =>
      jobPayload({
        job_id: `snapshot-${i}`,
        gpu_count: 1,
        start_time: `${DAY}T08:00:00Z`,
        end_time: `${DAY}T09:00:00Z`,
      }),
    );
    await postIngest(t, 'jobs', 'application/x-ndjson', toNdjson(jobs)).expect(200);
    // $1 a job-day.
    await postIngest(t, 'costs', 'application/json', { cost_snapshots: [costPayload({ cost_usd: JOBS })] }).expect(200);
  });
  afterAll(() => t.close());

  it('carries the costs as they were when it began, whatever an upload changes while it streams', async () => {
    const sink = new Sink(true);
    const written = exports.write(sink, DAY, DAY, undefined);
    await within(30_000, sink.firstChunk, 'the export wrote nothing');
    // The bill doubles while the export waits on its reader, its first page read.
    await postIngest(t, 'costs', 'application/json', { cost_snapshots: [costPayload({ cost_usd: 2 * JOBS })] }).expect(
      200,
    );
    sink.resume();
    await written;
    expect(sink.billed()).toBeCloseTo(JOBS, 4);

    const after = new Sink(false);
    await exports.write(after, DAY, DAY, undefined);
    expect(after.billed()).toBeCloseTo(2 * JOBS, 4);
  });

  it('lets the process answer others while it writes to a reader that never pushes back', async () => {
    const sink = new TurnCountingSink();
    await exports.write(sink, DAY, DAY, undefined);
    expect([...sink.linesPerTurn.values()].reduce((a, b) => a + b, 0)).toBe(JOBS + 1);
    // A page is 5,000 rows; they used to go out in one turn (145 ms at a million jobs).
    expect(Math.max(...sink.linesPerTurn.values())).toBeLessThanOrEqual(500);
  });

  it('answers 503 to an export that waited past its few seconds for the one being written', async () => {
    const sink = new Sink(true);
    const first = exports.write(sink, DAY, DAY, undefined);
    await within(30_000, sink.firstChunk, 'the export wrote nothing');
    try {
      const began = Date.now();
      await expect(exports.write(new Sink(false), DAY, DAY, undefined)).rejects.toMatchObject({ status: 503 });
      expect(Date.now() - began).toBeGreaterThanOrEqual(4_000);
      // The API answers the rest meanwhile: the export holds one connection of four.
      await t.http.get('/api/v1/health').expect(200);
    } finally {
      sink.resume();
      await first;
    }
  });
});
