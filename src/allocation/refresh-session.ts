import type { EntityManager } from 'typeorm';
import { CREATE_WORK_TABLES, EMPTY_WORK_TABLES, WORK_TABLES_READY } from './refresh.sql';

/** Serialises refreshes across processes and replicas (any constant shared by all of them). */
export const REFRESH_LOCK_KEY = 7_415_200_001;

/** Waits for, then holds until the transaction ends, the one refresh (or rebuild) at a time. */
export async function lockRefresh(m: EntityManager): Promise<void> {
  await m.query(`SELECT pg_advisory_xact_lock($1)`, [REFRESH_LOCK_KEY]);
}

/** The transaction's own clock: the instant running jobs are measured up to. */
export async function transactionNow(m: EntityManager): Promise<Date> {
  const [{ now }] = await m.query<{ now: Date }[]>(`SELECT now() AS now`);
  return now;
}

/** Empty work tables for this refresh (see WORK_TABLES). */
export async function prepareWorkTables(m: EntityManager): Promise<void> {
  const [{ ready }] = await m.query<{ ready: boolean }[]>(WORK_TABLES_READY);
  await m.query(ready ? EMPTY_WORK_TABLES : CREATE_WORK_TABLES);
}
