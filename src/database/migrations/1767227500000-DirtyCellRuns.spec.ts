import type { QueryRunner } from 'typeorm';
import { DirtyCellRuns1767227500000 } from './1767227500000-DirtyCellRuns';

/** A query runner that answers the version query with `version` and records every statement. */
function runnerOn(version: string, num: number) {
  const statements: string[] = [];
  const query = jest.fn((sql: string) => {
    statements.push(sql);
    return Promise.resolve(/server_version/.test(sql) ? [{ version, num: String(num) }] : []);
  });
  return { runner: { query } as unknown as QueryRunner, statements };
}

describe('DirtyCellRuns migration: runs of days need range_agg (PostgreSQL 14)', () => {
  it('refuses a PostgreSQL 13 server by name, before changing anything', async () => {
    const { runner, statements } = runnerOn('13.16', 130016);
    await expect(new DirtyCellRuns1767227500000().up(runner)).rejects.toThrow(
      'Heliox needs PostgreSQL 14 or later; the server at DATABASE_URL runs 13.16',
    );
    expect(statements.filter((s) => /ALTER TABLE/.test(s))).toEqual([]);
  });

  it('adds the run column on PostgreSQL 14 and later', async () => {
    const { runner, statements } = runnerOn('14.0', 140000);
    await new DirtyCellRuns1767227500000().up(runner);
    expect(statements.filter((s) => /ADD "last_day"/.test(s))).toHaveLength(1);
  });
});
