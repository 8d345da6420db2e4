import { connect, type AddressInfo } from 'node:net';
import { within } from './support/deadline';
import { adminAuth, costPayload, jobPayload, postIngest, toNdjson } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

/**
 * A client that asks for a large answer and stops reading it is hung up on once its unsent bytes
 * have not moved for STALLED_CLIENT_SECONDS (1 s here); one that reads gets its answer whole.
 * The answer is a FOCUS export of 26,700 job-days (18 MB of CSV): a client that reads nothing
 * takes about 4 MB into the kernel's socket buffers, and the server is left with the rest.
 */
describe('Connections whose client stopped reading are closed', () => {
  let t: TestApp;
  let admin: string;
  let port: number;
  const path = '/api/v1/analytics/cost/export?start=2026-01-01&end=2026-03-31';

  beforeAll(async () => {
    t = await createTestApp({ STALLED_CLIENT_SECONDS: '1' });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    admin = (await adminAuth(t)).header;
    const jobs = Array.from({ length: 300 }, (_, i) =>
      jobPayload({
        job_id: `stalled-${i}`,
        gpu_type: ['a100', 'h100', 'l4'][i % 3],
        start_time: '2026-01-01T00:00:00Z',
        end_time: '2026-03-31T00:00:00Z',
      }),
    );
    await postIngest(t, 'jobs', 'application/x-ndjson', toNdjson(jobs)).expect(200);
    const days = Array.from({ length: 90 }, (_, d) => new Date(Date.UTC(2026, 0, 1 + d)).toISOString().slice(0, 10));
    const bills = days.flatMap((day) =>
      ['a100', 'h100', 'l4'].map((gpu_type) => costPayload({ entry_date: day, gpu_type })),
    );
    await postIngest(t, 'costs', 'application/x-ndjson', toNdjson(bills)).expect(200);
  });
  afterAll(() => t.close());

  it('hangs up on a client that stops reading a large export', async () => {
    const server = t.app.getHttpServer();
    const openConnections = () =>
      new Promise<number>((resolve, reject) => server.getConnections((e, n) => (e ? reject(e) : resolve(n))));
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    // Keep-alive: left alone, the server would keep this connection open after the answer.
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${admin}\r\n\r\n`);
    // Reads nothing: the answer piles up in the kernel's buffers, then in the server's.
    socket.pause();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await openConnections()).toBe(1);
    const hungUp = async () => {
      while ((await openConnections()) > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    };
    await within(30_000, hungUp(), 'the stalled connection still open on the server');
    // What the kernel held is read, then the end: the answer was cut off before its last chunk.
    socket.resume();
    await within(30_000, closed, 'the client never saw the connection close');
    const text = Buffer.concat(received).toString('latin1');
    expect(text.startsWith('HTTP/1.1 200')).toBe(true);
    expect(text.endsWith('\r\n0\r\n\r\n')).toBe(false);
  });

  it('gives a client that reads the whole export, however long it takes', async () => {
    const res = await t.http.get(path).set('Authorization', admin).expect(200);
    expect(res.text.split('\n').length).toBeGreaterThan(26_700);
  });
});
