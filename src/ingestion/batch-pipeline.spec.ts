import type { DataSource, EntityManager } from 'typeorm';
import { BATCH_SIZE, BatchPipeline, laneOf, PipelineCounts, PipelineMode, WRITER_LANES } from './batch-pipeline';
import type { BatchResult, BatchWriter } from './writers/batch-writer';

interface Item {
  key: string;
  value: number;
}

/** A database of one table: a transaction's writes land only when it commits. */
class FakeDatabase {
  committed = new Map<string, number>();
  transactions = 0;
  rollbacks = 0;

  asDataSource(): DataSource {
    return { transaction: (work: (m: EntityManager) => Promise<unknown>) => this.transaction(work) } as DataSource;
  }

  private async transaction<R>(work: (m: EntityManager) => Promise<R>): Promise<R> {
    this.transactions++;
    const pending = new Map<string, number>();
    const manager = { pending } as unknown as EntityManager;
    try {
      const result = await work(manager);
      for (const [k, v] of pending) this.committed.set(k, v);
      return result;
    } catch (error) {
      this.rollbacks++;
      throw error;
    }
  }
}

/** Counts a key as inserted, updated (new value) or unchanged against what is committed. */
class FakeWriter implements BatchWriter<Item> {
  readonly batches: Item[][] = [];
  committedCalls = 0;
  failures: Error[] = [];

  constructor(private readonly db: FakeDatabase) {}

  keyOf(item: Item): string {
    return item.key;
  }

  write(manager: EntityManager, batch: Item[]): Promise<BatchResult> {
    this.batches.push(batch);
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    const pending = (manager as unknown as { pending: Map<string, number> }).pending;
    const result = { inserted: 0, updated: 0, unchanged: 0, committed: () => this.committedCalls++ };
    for (const item of batch) {
      const before = this.db.committed.get(item.key);
      if (before === undefined) result.inserted++;
      else if (before !== item.value) result.updated++;
      else result.unchanged++;
      pending.set(item.key, item.value);
    }
    return Promise.resolve(result);
  }
}

function setUp(mode: PipelineMode) {
  const db = new FakeDatabase();
  const writer = new FakeWriter(db);
  const refreshes: (EntityManager | undefined)[] = [];
  const pipeline = new BatchPipeline(
    db.asDataSource(),
    writer,
    (m?: EntityManager) => {
      refreshes.push(m);
      return Promise.resolve();
    },
    mode,
  );
  return { db, writer, refreshes, pipeline };
}

const items = (n: number, prefix = 'k', value = 1): Item[] =>
  Array.from({ length: n }, (_, i) => ({ key: `${prefix}${String(i).padStart(6, '0')}`, value }));

async function feedAll(pipeline: BatchPipeline<Item>, records: Item[]): Promise<boolean> {
  return pipeline.run(async (push) => {
    for (const record of records) {
      const wait = push(record);
      if (wait) await wait;
    }
  });
}

const single = (keep = () => true): PipelineMode => ({ kind: 'single', keep });

describe('BatchPipeline in one transaction', () => {
  it('counts inserted, updated and unchanged records and commits them together', async () => {
    const { db, pipeline, refreshes } = setUp(single());
    db.committed.set('a', 1);
    db.committed.set('b', 1);
    const committed = await feedAll(pipeline, [
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
      { key: 'c', value: 3 },
    ]);
    expect(committed).toBe(true);
    expect(pipeline.counts).toEqual({ inserted: 1, updated: 1, unchanged: 1, superseded: 0 });
    expect(db.transactions).toBe(1);
    expect(db.committed.get('c')).toBe(3);
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]).toBeDefined();
  });

  it('keeps the last record of a key, writes batches sorted by key, and counts the rest as superseded', async () => {
    const { writer, pipeline } = setUp(single());
    await feedAll(pipeline, [
      { key: 'b', value: 1 },
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
    ]);
    expect(writer.batches).toEqual([
      [
        { key: 'a', value: 1 },
        { key: 'b', value: 2 },
      ],
    ]);
    expect(pipeline.counts).toMatchObject({ inserted: 2, superseded: 1 });
  });

  it('writes a full batch every BATCH_SIZE records, all in the one transaction', async () => {
    const { db, writer, pipeline } = setUp(single());
    await feedAll(pipeline, items(BATCH_SIZE + 1));
    expect(writer.batches.map((b) => b.length)).toEqual([BATCH_SIZE, 1]);
    expect(db.transactions).toBe(1);
    expect(pipeline.counts.inserted).toBe(BATCH_SIZE + 1);
  });

  it('rolls everything back when keep() refuses (a dry run, an atomic run with bad records), still saying what it would have done', async () => {
    const { db, pipeline, refreshes, writer } = setUp(single(() => false));
    const committed = await feedAll(pipeline, items(3));
    expect(committed).toBe(false);
    expect(db.committed.size).toBe(0);
    expect(db.rollbacks).toBe(1);
    expect(refreshes).toHaveLength(0);
    expect(pipeline.counts.inserted).toBe(3);
    expect(writer.committedCalls).toBe(1);
  });

  it('writes an empty batch even when no record came, so that the writer sees the run (teams only)', async () => {
    const { writer, pipeline } = setUp(single());
    expect(await feedAll(pipeline, [])).toBe(true);
    expect(writer.batches).toEqual([[]]);
  });

  it('lets a writer failure through and commits nothing', async () => {
    const { db, writer, pipeline } = setUp(single());
    writer.failures.push(new Error('boom'));
    await expect(feedAll(pipeline, items(2))).rejects.toThrow('boom');
    expect(db.committed.size).toBe(0);
  });
});

describe('BatchPipeline streamed', () => {
  const streamed: PipelineMode = { kind: 'streamed' };

  it('writes a small run as one batch and refreshes the allocation in the same transaction', async () => {
    const { db, pipeline, refreshes } = setUp(streamed);
    expect(await feedAll(pipeline, items(10))).toBe(true);
    expect(db.transactions).toBe(1);
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]).toBeDefined();
    expect(pipeline.counts.inserted).toBe(10);
  });

  it('commits batch by batch on its lanes and refreshes once, in a transaction of its own, at the end', async () => {
    const { db, writer, pipeline, refreshes } = setUp(streamed);
    const records = items(BATCH_SIZE * WRITER_LANES * 2);
    expect(await feedAll(pipeline, records)).toBe(true);
    expect(db.committed.size).toBe(records.length);
    expect(pipeline.counts).toEqual({ inserted: records.length, updated: 0, unchanged: 0, superseded: 0 });
    expect(db.transactions).toBe(writer.batches.length);
    expect(refreshes).toEqual([undefined]);
    for (const batch of writer.batches) {
      const lanes = new Set(batch.map((r) => laneOf(r.key, WRITER_LANES)));
      expect(lanes.size).toBe(1);
    }
  });

  it('retries a batch picked as a deadlock victim or a serialisation failure', async () => {
    const { db, writer, pipeline } = setUp(streamed);
    writer.failures.push(
      Object.assign(new Error('deadlock'), { code: '40P01' }),
      Object.assign(new Error('serialisation'), { driverError: { code: '40001' } }),
    );
    await feedAll(pipeline, items(5));
    expect(writer.batches).toHaveLength(3);
    expect(db.committed.size).toBe(5);
    expect(pipeline.counts.inserted).toBe(5);
  });

  it('gives up after three attempts, and does not retry other errors', async () => {
    const deadlock = () => Object.assign(new Error('deadlock'), { code: '40P01' });
    const first = setUp(streamed);
    first.writer.failures.push(deadlock(), deadlock(), deadlock());
    await expect(feedAll(first.pipeline, items(5))).rejects.toThrow('deadlock');
    expect(first.writer.batches).toHaveLength(3);

    const second = setUp(streamed);
    second.writer.failures.push(Object.assign(new Error('unique violation'), { code: '23505' }));
    await expect(feedAll(second.pipeline, items(5))).rejects.toThrow('unique violation');
    expect(second.writer.batches).toHaveLength(1);
  });

  it('keeps the batches that committed before a later batch failed, and counts only those', async () => {
    const { db, writer, pipeline } = setUp(streamed);
    const records = items(BATCH_SIZE * WRITER_LANES * 3);
    const fail = new Error('lost');
    const write = writer.write.bind(writer);
    let calls = 0;
    writer.write = (m, batch) => (++calls === 3 ? Promise.reject(fail) : write(m, batch));
    await expect(feedAll(pipeline, records)).rejects.toThrow('lost');
    expect(db.committed.size).toBeGreaterThan(0);
    expect(db.committed.size).toBeLessThan(records.length);
    expect(pipeline.counts.inserted).toBe(db.committed.size);
  });
});

describe('BatchPipeline streamed, when one lane fails', () => {
  const streamed: PipelineMode = { kind: 'streamed' };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /**
   * Lane `failing` rejects its `failAt`-th batch at once; the other lane's batches take a while,
   * so one of them is still in flight when the failure surfaces.
   */
  function withFailingLane(failing: number, failAt: number) {
    const setup = setUp(streamed);
    const write = setup.writer.write.bind(setup.writer);
    const seen = [0, 0];
    setup.writer.write = async (m, batch) => {
      const lane = laneOf(batch[0].key, WRITER_LANES);
      if (lane === failing && ++seen[lane] === failAt) throw new Error(`lane ${lane} lost`);
      if (lane !== failing) await sleep(30);
      return write(m, batch);
    };
    return setup;
  }

  /** Runs the upload to its failure and returns the counts as they stood when it surfaced. */
  async function countsAtFailure(pipeline: BatchPipeline<Item>, records: Item[]) {
    let counts: PipelineCounts | undefined;
    await feedAll(pipeline, records).catch(() => (counts = { ...pipeline.counts }));
    expect(counts).toBeDefined();
    return counts!;
  }

  for (const failing of [0, 1]) {
    it(`counts every batch the other lane committed when lane ${failing} fails mid-stream`, async () => {
      const { db, pipeline } = withFailingLane(failing, 2);
      const counts = await countsAtFailure(pipeline, items(BATCH_SIZE * WRITER_LANES * 4));
      await sleep(100); // anything still in flight after the failure would land now
      expect(counts.inserted).toBe(db.committed.size);
    });

    it(`counts the other lane's last batch when lane ${failing} fails on the tail of the upload`, async () => {
      // Two full batches a lane, then a tail batch a lane: the tail of lane `failing` fails.
      const { db, pipeline } = withFailingLane(failing, 3);
      const counts = await countsAtFailure(pipeline, items(BATCH_SIZE * WRITER_LANES * 2 + 100));
      await sleep(100);
      expect(counts.inserted).toBe(db.committed.size);
      expect(db.committed.size).toBeGreaterThan(BATCH_SIZE);
    });
  }
});

describe('laneOf', () => {
  it('sends a key to the same lane every time, within range, and everything to lane 0 when there is one', () => {
    for (const key of ['a', 'job-1', 'job-2', 'x'.repeat(100)]) {
      expect(laneOf(key, 2)).toBe(laneOf(key, 2));
      expect(laneOf(key, 2)).toBeGreaterThanOrEqual(0);
      expect(laneOf(key, 2)).toBeLessThan(2);
      expect(laneOf(key, 1)).toBe(0);
    }
  });

  it('spreads keys over both lanes', () => {
    const lanes = items(1000).map((i) => laneOf(i.key, 2));
    const first = lanes.filter((l) => l === 0).length;
    expect(first).toBeGreaterThan(400);
    expect(first).toBeLessThan(600);
  });
});
