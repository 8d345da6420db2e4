import express, { Request, Response } from 'express';
import { Pool } from 'pg';
import { DATABASE_SESSION_OPTIONS } from '../src/database/session-options';
import { decodeCursor } from '../src/jobs/jobs-cursor';
import type { JobStatus } from '../src/jobs/job-status';
import { buildJobsPageQuery, JobsPageRequest, JobsPageRow, toJobsPage } from '../src/jobs/jobs.query';

/**
 * The reference for GET /jobs: a bare Express handler on `pg` that runs the very SQL the API
 * runs and shapes the page the same way (src/jobs/jobs.query.ts), with no Nest, TypeORM, guards,
 * validation, logging or security headers. The gap between the two is the price of those.
 * Started by the harness as its own process: DATABASE_URL, PORT, HOST, DB_POOL_SIZE.
 */

// The API's session settings, so that the two differ only in what runs in Node.
const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_SIZE ?? 10),
  options: DATABASE_SESSION_OPTIONS,
});
pool.on('error', () => undefined);
const app = express();

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

app.get('/health', (_req, res) => {
  res.json({ status: 'ok' });
});

app.get('/jobs', async (req: Request, res: Response) => {
  const cursor = text(req.query.cursor);
  const request: JobsPageRequest = {
    teamId: text(req.query.team_id),
    status: text(req.query.status) as JobStatus | undefined,
    provider: text(req.query.provider),
    gpuType: text(req.query.gpu_type),
    modelName: text(req.query.model_name),
    order: 'desc',
    after: cursor ? decodeCursor(cursor, 'desc') : undefined,
    skip: Number(text(req.query.skip) ?? 0),
    limit: Number(text(req.query.limit) ?? 50),
  };
  const { text: sql, values } = buildJobsPageQuery(request);
  const { rows } = await pool.query<JobsPageRow>(sql, values);
  res.json(toJobsPage(rows[0], request));
});

const server = app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
process.once('SIGTERM', () => server.close(() => void pool.end()));
