import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { within } from './deadline';

/**
 * Sends `requests` while another transaction holds the row `id` of `table` locked, and lets it go
 * once every request waits on a lock: the requests have then read what they read before writing,
 * and meet as two edits sent at the same moment do, every time.
 *
 * The lock is held, and the waiting requests counted, on connections of their own rather than the
 * app's pool: as many requests as the pool has connections can then wait on the lock at once.
 */
export async function whileRowLocked<T>(
  db: DataSource,
  table: 'users' | 'teams' | 'alert_rules',
  id: string,
  requests: (() => PromiseLike<T>)[],
): Promise<T[]> {
  const url = (db.options as { url: string }).url;
  const [holder, watcher] = [new Client({ connectionString: url }), new Client({ connectionString: url })];
  await Promise.all([holder.connect(), watcher.connect()]);
  try {
    await holder.query('BEGIN');
    await holder.query(`SELECT 1 FROM ${table} WHERE id = $1 FOR UPDATE`, [id]);
    const answers = Promise.all(requests.map((send) => Promise.resolve(send())));
    const allWaiting = async () => {
      while ((await waitingOnLocks(watcher)) < requests.length) await new Promise((resolve) => setTimeout(resolve, 20));
    };
    await within(10_000, allWaiting(), `${requests.length} requests not all waiting on the ${table} row`);
    await holder.query('COMMIT');
    return await answers;
  } finally {
    await Promise.all([holder.end(), watcher.end()]);
  }
}

async function waitingOnLocks(watcher: Client): Promise<number> {
  const { rows } = await watcher.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
  );
  return rows[0].n;
}
