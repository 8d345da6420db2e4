import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { sendAlert } from './webhook-sender';

describe('sendAlert', () => {
  let server: Server;
  let answer: (res: import('node:http').ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      answer(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const send = (timeoutMs?: number) =>
    sendAlert({ url: url(), secret: 's'.repeat(16), eventId: 'e1', body: '{}' }, timeoutMs);

  it('counts a 2xx as delivered', async () => {
    answer = (res) => res.writeHead(204).end();
    expect(await send()).toEqual({ ok: true, status: 204 });
  });

  it('counts any other status as failed, a redirect included (it is not followed)', async () => {
    answer = (res) => res.writeHead(302, { Location: 'http://169.254.169.254/' }).end();
    expect(await send()).toEqual({ ok: false, error: 'HTTP 302' });
    answer = (res) => res.writeHead(500).end();
    expect(await send()).toEqual({ ok: false, error: 'HTTP 500' });
  });

  it('counts a 2xx as delivered and still cuts off a body that never ends, at the time limit', async () => {
    let closed!: () => void;
    const cutOff = new Promise<void>((resolve) => (closed = resolve));
    answer = (res) => {
      res.writeHead(200);
      const drip = setInterval(() => res.write('.'), 20);
      res.on('close', () => {
        clearInterval(drip);
        closed();
      });
    };
    expect(await send(300)).toEqual({ ok: true, status: 200 });
    await cutOff;
  }, 5_000);

  it('gives up on a receiver that does not answer in time', async () => {
    const hung: import('node:http').ServerResponse[] = [];
    answer = (res) => hung.push(res);
    expect(await send(200)).toEqual({ ok: false, error: 'no answer within 0.2 s' });
    for (const res of hung) res.destroy();
  });
});
