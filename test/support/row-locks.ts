import type { DataSource } from 'typeorm';
import { within } from './deadline';

/**
 * Sends `requests` while another transaction holds the row `id` of `table` locked, and lets it go
 * once every request waits on a lock: the requests have then read what they read before writing,
 * and meet as two edits sent at the same moment do, every time.
 */
export async function whileRowLocked<T>(
  db: DataSource,
  table: 'users' | 'teams' | 'alert_rules',
  id: string,
  requests: (() => PromiseLike<T>)[],
): Promise<T[]> {
  const holder = db.createQueryRunner();
  await holder.connect();
  try {
    await holder.startTransaction();
    await holder.query(`SELECT 1 FROM ${table} WHERE id = $1 FOR UPDATE`, [id]);
    const answers = Promise.all(requests.map((send) => Promise.resolve(send())));
    const allWaiting = async () => {
      while ((await waitingOnLocks(db)) < requests.length) await new Promise((resolve) => setTimeout(resolve, 20));
    };
    await within(10_000, allWaiting(), `${requests.length} requests not all waiting on the ${table} row`);
    await holder.commitTransaction();
    return await answers;
  } finally {
    await holder.release();
  }
}

async function waitingOnLocks(db: DataSource): Promise<number> {
  const [row] = await db.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
  );
  return row.n;
}
