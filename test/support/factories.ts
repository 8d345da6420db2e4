import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { MEASURE_SPAN_BOUND } from '../../src/allocation/allocation-rebuild.sql';
import type { JobInterval } from '../../src/allocation/allocation.service';
import type { TokenClaims } from '../../src/auth/token-claims';
import type { TestApp } from './test-app';

/**
 * Small builders of rows, written straight to the suite's database so a test states only what
 * matters to it. Every field has a sensible default.
 */
let sequence = 0;
const next = () => ++sequence;

export interface TeamRow {
  id: string;
  name: string;
  budget_usd: number | null;
}

export async function createTeam(
  db: DataSource,
  over: Partial<{ name: string; description: string; budget_usd: number | null }> = {},
): Promise<TeamRow> {
  const name = over.name ?? `team-${next()}-${randomUUID().slice(0, 8)}`;
  const [row] = await db.query(
    `INSERT INTO teams (name, description, budget_usd) VALUES ($1, $2, $3) RETURNING id, name, budget_usd::float8 AS budget_usd`,
    [name, over.description ?? null, over.budget_usd === undefined ? 10_000 : over.budget_usd],
  );
  return row;
}

export interface JobInput {
  job_id: string;
  team_id: string;
  model_name: string;
  provider: string;
  gpu_type: string;
  gpu_count: number;
  start_time: string;
  end_time: string | null;
  status: string;
  /** Key → value; {} by default. */
  labels?: Record<string, string>;
  /** 0–1, or null (the default: not reported). */
  gpu_utilization?: number | null;
}

export async function createJob(
  db: DataSource,
  teamId: string,
  over: Partial<JobInput> = {},
): Promise<JobInput & { id: string }> {
  const job: JobInput = {
    job_id: `job-${next()}-${randomUUID().slice(0, 8)}`,
    team_id: teamId,
    model_name: 'llama-3-8b',
    provider: 'aws',
    gpu_type: 'a100',
    gpu_count: 1,
    start_time: '2026-01-03T00:00:00Z',
    end_time: '2026-01-03T10:00:00Z',
    status: 'completed',
    ...over,
  };
  const [row] = await db.query(
    `INSERT INTO jobs (job_id, team_id, model_name, provider, gpu_type, gpu_count, start_time, end_time, status,
                       labels, gpu_utilization)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id`,
    [
      job.job_id,
      job.team_id,
      job.model_name,
      job.provider,
      job.gpu_type,
      job.gpu_count,
      job.start_time,
      job.end_time,
      job.status,
      JSON.stringify(job.labels ?? {}),
      job.gpu_utilization ?? null,
    ],
  );
  // As the ingestion's writer does: readers bound their scans by the longest finished job.
  if (job.end_time !== null) await db.query(MEASURE_SPAN_BOUND);
  return { ...job, id: row.id };
}

/**
 * The allocation marks of these job versions (a changed job: its old and its new version);
 * `newJob` for jobs just created, as the ingestion marks them.
 */
export function jobIntervals(
  jobs: (Pick<JobInput, 'provider' | 'gpu_type' | 'start_time' | 'end_time'> & { id: string })[],
  { newJob = false } = {},
): JobInterval[] {
  return jobs.map((j) => ({
    jobUuid: j.id,
    provider: j.provider,
    gpuType: j.gpu_type,
    startTime: j.start_time,
    endTime: j.end_time,
    newJob,
  }));
}

export async function createSnapshot(
  db: DataSource,
  over: Partial<{ entry_date: string; provider: string; gpu_type: string; cost_usd: number }> = {},
): Promise<void> {
  await db.query(`INSERT INTO cost_snapshots (entry_date, provider, gpu_type, cost_usd) VALUES ($1,$2,$3,$4)`, [
    over.entry_date ?? '2026-01-03',
    over.provider ?? 'aws',
    over.gpu_type ?? 'a100',
    over.cost_usd ?? 100,
  ]);
}

export interface UserRow {
  id: string;
  email: string;
  role: 'admin' | 'member';
  team_id: string | null;
  token_version: number;
}

/** A user row (its password hash is not a real one: log in through tokenFor, or through the auth factory). */
export async function createUser(
  db: DataSource,
  over: Partial<{ email: string; role: 'admin' | 'member'; team_id: string | null; password_hash: string }> = {},
): Promise<UserRow> {
  const [row] = await db.query(
    `INSERT INTO users (email, password_hash, role, team_id) VALUES ($1, $2, $3, $4) RETURNING id, email, role, team_id, token_version`,
    [
      over.email ?? `user-${next()}-${randomUUID().slice(0, 8)}@example.com`,
      over.password_hash ?? '!',
      over.role ?? 'member',
      over.team_id ?? null,
    ],
  );
  return row;
}

/** A valid access token for a user, signed the way the app signs them. */
export function tokenFor(t: TestApp, user: UserRow): string {
  const claims: TokenClaims = {
    sub: user.id,
    email: user.email,
    role: user.role,
    team_id: user.team_id,
    ver: user.token_version,
  };
  return t.app.get(JwtService).sign(claims);
}

/** An admin and a bearer header for it. */
export async function adminAuth(t: TestApp): Promise<{ user: UserRow; header: string }> {
  const user = await createUser(t.db, { role: 'admin' });
  return { user, header: `Bearer ${tokenFor(t, user)}` };
}

/** A member of the given team and a bearer header for it. */
export async function memberAuth(t: TestApp, teamId: string): Promise<{ user: UserRow; header: string }> {
  const user = await createUser(t.db, { role: 'member', team_id: teamId });
  return { user, header: `Bearer ${tokenFor(t, user)}` };
}

export const API_KEY = 'heliox-admin-key-change-in-production';

/** A user who can log in with `password` (a real argon2id hash, as the app makes, so it costs a real check). */
export async function createLoginUser(
  db: DataSource,
  password: string,
  over: Partial<{ email: string; role: 'admin' | 'member'; team_id: string | null }> = {},
): Promise<UserRow> {
  const { hashPassword } = await import('../../src/auth/users/password-hasher');
  return createUser(db, { ...over, password_hash: await hashPassword(password) });
}

/** A valid job record as an ingestion payload carries it (snake_case, untrusted shape). */
export function jobPayload(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    job_id: `ingest-${next()}-${randomUUID().slice(0, 8)}`,
    team_name: 'ingest-team',
    model_name: 'llama-3-8b',
    provider: 'aws',
    gpu_type: 'a100',
    gpu_count: 2,
    start_time: '2026-01-03T08:00:00Z',
    end_time: '2026-01-03T12:00:00Z',
    status: 'completed',
    ...over,
  };
}

/** A valid cost snapshot record as an ingestion payload carries it. */
export function costPayload(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { entry_date: '2026-01-03', provider: 'aws', gpu_type: 'a100', cost_usd: 300, ...over };
}

/** POSTs a body of the given Content-Type to `/admin/ingest/{path}` with the admin API key. */
export function postIngest(t: TestApp, path: string, type: string, body: string | object) {
  return t.http
    .post(`/api/v1/admin/ingest/${path}`)
    .set('X-API-Key', API_KEY)
    .set('Content-Type', type)
    .send(body as object);
}

/** Records as an NDJSON body. */
export function toNdjson(records: unknown[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

/**
 * One team alone in one (provider, GPU type) cell, day after day: each day with a cost gets a
 * snapshot of that cost and one job of the team using the cell (so the team's allocated cost
 * that day is exactly the cost). `costOf` returning null leaves the day without a snapshot or
 * job. Returns the jobs by day. Rows are written directly: rebuild the allocation afterwards.
 */
export async function createDailyCosts(
  db: DataSource,
  teamId: string,
  cell: {
    provider: string;
    gpu_type: string;
    from: string;
    days: number;
    costOf: (day: string, i: number) => number | null;
  },
): Promise<Map<string, JobInput & { id: string }>> {
  const jobs = new Map<string, JobInput & { id: string }>();
  for (let i = 0; i < cell.days; i++) {
    const day = new Date(Date.parse(`${cell.from}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10);
    const cost = cell.costOf(day, i);
    if (cost === null) continue;
    await createSnapshot(db, { entry_date: day, provider: cell.provider, gpu_type: cell.gpu_type, cost_usd: cost });
    const job = await createJob(db, teamId, {
      provider: cell.provider,
      gpu_type: cell.gpu_type,
      start_time: `${day}T00:00:00Z`,
      end_time: `${day}T10:00:00Z`,
    });
    jobs.set(day, job);
  }
  return jobs;
}

/** The columns of a job row that allocation reads, as the property suites edit them. */
export interface EditableJobRow {
  id: string;
  provider: string;
  gpu_type: string;
  gpu_count: number;
  status: string;
  start_time: string | Date;
  end_time: string | Date | null;
  model_name: string;
  team_id: string;
  labels?: Record<string, string>;
  gpu_utilization?: number | null;
}

/** Writes a job's new version straight to `jobs` (the caller marks the allocation as it tests). */
export async function updateJobRow(db: DataSource, job: EditableJobRow): Promise<void> {
  await db.query(
    `UPDATE jobs SET provider=$2, gpu_type=$3, gpu_count=$4, status=$5, start_time=$6, end_time=$7, model_name=$8, team_id=$9,
       labels=$10, gpu_utilization=$11 WHERE id=$1`,
    [
      job.id,
      job.provider,
      job.gpu_type,
      job.gpu_count,
      job.status,
      job.start_time,
      job.end_time,
      job.model_name,
      job.team_id,
      JSON.stringify(job.labels ?? {}),
      job.gpu_utilization ?? null,
    ],
  );
}
