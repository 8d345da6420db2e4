import { createReadStream } from 'node:fs';
import http from 'node:http';

/**
 * The harness's view of the API: plain node:http with keep-alive (no client library in the
 * measured path, and no client-side timeout: a million-row ingestion answers when it is done).
 */

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what} answered ${status}: ${body.slice(0, 500)}`);
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

interface Reply {
  status: number;
  body: string;
}

function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string | NodeJS.ReadableStream,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body === undefined || typeof body === 'string') {
      req.end(body);
    } else {
      body.on('error', (error: Error) => req.destroy(error));
      body.pipe(req);
    }
  });
}

export interface IngestCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  failed: number;
  total: number;
}

export interface IngestReply {
  status: string;
  message: string;
  run_id: string;
  result: Record<string, unknown> & { errors?: unknown[] };
}

export class HelioxClient {
  private token?: string;

  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  get authorization(): Record<string, string> {
    if (!this.token) throw new Error('Not logged in');
    return { Authorization: `Bearer ${this.token}` };
  }

  async login(username: string, password: string): Promise<void> {
    const reply = await send(
      `${this.baseUrl}/api/v1/auth/login`,
      'POST',
      { 'Content-Type': 'application/json' },
      JSON.stringify({ username, password }),
    );
    if (reply.status !== 200 && reply.status !== 201) throw new HttpError(reply.status, reply.body, 'POST /auth/login');
    this.token = (JSON.parse(reply.body) as { access_token: string }).access_token;
  }

  /** Streams a file to POST /admin/ingest/{kind}, chunked, as the given content type. */
  async ingestFile(kind: 'jobs' | 'costs', file: string, contentType: string): Promise<IngestReply> {
    return this.ingest(kind, contentType, createReadStream(file, { highWaterMark: 256 * 1024 }));
  }

  async ingestJson(kind: 'jobs' | 'costs', body: unknown): Promise<IngestReply> {
    return this.ingest(kind, 'application/json', JSON.stringify(body));
  }

  private async ingest(
    kind: 'jobs' | 'costs',
    contentType: string,
    body: string | NodeJS.ReadableStream,
  ): Promise<IngestReply> {
    const what = `POST /admin/ingest/${kind}`;
    const reply = await send(
      `${this.baseUrl}/api/v1/admin/ingest/${kind}`,
      'POST',
      { 'Content-Type': contentType, 'X-API-Key': this.apiKey },
      body,
    );
    if (reply.status >= 300) throw new HttpError(reply.status, reply.body, what);
    const parsed = JSON.parse(reply.body) as IngestReply;
    if (parsed.status !== 'success') throw new Error(`${what} reported ${parsed.status}: ${reply.body.slice(0, 800)}`);
    return parsed;
  }

  /** GET as the logged-in admin; throws on anything but 200. */
  async get<T>(pathAndQuery: string): Promise<T> {
    const reply = await send(`${this.baseUrl}${pathAndQuery}`, 'GET', this.authorization);
    if (reply.status !== 200) throw new HttpError(reply.status, reply.body, `GET ${pathAndQuery}`);
    return JSON.parse(reply.body) as T;
  }

  /** POST JSON as the logged-in admin; throws on anything but 200 or 201. */
  async post<T>(pathAndQuery: string, body: unknown): Promise<T> {
    const headers = { ...this.authorization, 'Content-Type': 'application/json' };
    const reply = await send(`${this.baseUrl}${pathAndQuery}`, 'POST', headers, JSON.stringify(body));
    if (reply.status !== 200 && reply.status !== 201)
      throw new HttpError(reply.status, reply.body, `POST ${pathAndQuery}`);
    return JSON.parse(reply.body) as T;
  }

  /** DELETE as the logged-in admin; throws on anything but 2xx. */
  async delete(pathAndQuery: string): Promise<void> {
    const reply = await send(`${this.baseUrl}${pathAndQuery}`, 'DELETE', this.authorization);
    if (reply.status < 200 || reply.status >= 300)
      throw new HttpError(reply.status, reply.body, `DELETE ${pathAndQuery}`);
  }

  /** The API's Prometheus exposition (GET /metrics). */
  async metrics(): Promise<string> {
    const reply = await send(`${this.baseUrl}/metrics`, 'GET', {});
    if (reply.status !== 200) throw new HttpError(reply.status, reply.body, 'GET /metrics');
    return reply.body;
  }
}

/** The value of one series (`name{labels}`, exactly as exposed) in a Prometheus exposition, 0 when absent. */
export function metricValue(exposition: string, series: string): number {
  const line = exposition.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** The record counts of an ingestion reply (`result.jobs` or `result.cost_snapshots`). */
export function ingestCounts(reply: IngestReply, key: string): IngestCounts {
  const counts = reply.result[key] as IngestCounts | undefined;
  if (!counts || typeof counts.total !== 'number')
    throw new Error(`Ingestion reply has no result.${key}: ${JSON.stringify(reply).slice(0, 500)}`);
  return counts;
}
