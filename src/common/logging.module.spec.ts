import { once } from 'node:events';
import { createServer, request, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { assignRequestId, RequestLogMiddleware } from './logging.module';

interface Line {
  level: number;
  msg: string;
  request_id?: string;
  req?: { method: string; url: string };
  res?: { statusCode: number };
  responseTime?: number;
}

/** A real HTTP server whose every request passes the middleware, logging into an array. */
async function serve(level: pino.Level, handle: (res: import('node:http').ServerResponse) => void) {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Line);
      done();
    },
  });
  const middleware = new RequestLogMiddleware({ logger: pino({ level }, sink) } as unknown as PinoLogger);
  const server = createServer((req, res) => {
    assignRequestId(req, res);
    middleware.use(req, res, () => handle(res));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, lines, port: (server.address() as AddressInfo).port };
}

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ port, path, headers: { 'x-request-id': 'req-1' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

/** Waits until `check` holds, or two seconds: a busy machine may take longer than settle(). */
async function until(check: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 2_000; !check() && Date.now() < deadline;) await settle();
}

describe('RequestLogMiddleware', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('writes one line when a request completes, with its id, method, URL, status and time', async () => {
    const app = await serve('info', (res) => res.writeHead(201).end('ok'));
    server = app.server;
    await get(app.port, '/api/v1/jobs?limit=5');
    await settle();
    expect(app.lines).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'request completed',
        request_id: 'req-1',
        req: { method: 'GET', url: '/api/v1/jobs?limit=5' },
        res: { statusCode: 201 },
        responseTime: expect.any(Number) as number,
      }),
    ]);
  });

  it('logs a 5xx at level error', async () => {
    const app = await serve('info', (res) => res.writeHead(503).end());
    server = app.server;
    await get(app.port, '/api/v1/teams');
    await settle();
    expect(app.lines).toEqual([expect.objectContaining({ level: 50, msg: 'request completed' })]);
  });

  it('says "request aborted" when the client goes away before the answer', async () => {
    let arrived!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const app = await serve('info', () => arrived());
    server = app.server;
    const client = request({ port: app.port, path: '/api/v1/analytics/cost' });
    client.on('error', () => undefined).end();
    // Gone once the server holds the request, and not before: else there is nothing to abort.
    await reached;
    client.destroy();
    await until(() => app.lines.length > 0);
    expect(app.lines).toEqual([expect.objectContaining({ level: 30, msg: 'request aborted' })]);
  });

  it('keeps health probes and metric scrapes out of the log', async () => {
    const app = await serve('info', (res) => res.end());
    server = app.server;
    await get(app.port, '/api/v1/health');
    await get(app.port, '/metrics');
    await settle();
    expect(app.lines).toEqual([]);
  });

  it('writes nothing above level info', async () => {
    const app = await serve('warn', (res) => res.writeHead(500).end());
    server = app.server;
    await get(app.port, '/api/v1/jobs');
    await settle();
    expect(app.lines).toEqual([]);
  });
});
