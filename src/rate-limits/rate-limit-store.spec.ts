import { ConfigService } from '@nestjs/config';
import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { validateEnv } from '../config/env';
import { RateLimitStore } from './rate-limit-store';

/** A TCP server that accepts connections and never answers: a hung Redis. */
function silentServer(): Promise<{ server: Server; url: string; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => sockets.add(socket));
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, sockets, url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

describe('RateLimitStore', () => {
  it('finishes booting and counts in the process when Redis accepts connections but never answers', async () => {
    const { server, url, sockets } = await silentServer();
    const store = new RateLimitStore(new ConfigService(validateEnv({ REDIS_URL: url })));
    try {
      await store.onModuleInit();
      const hit = () => store.increment('someone', 60_000, 2, 60_000, 'reads');
      expect((await hit()).isBlocked).toBe(false);
      expect((await hit()).isBlocked).toBe(false);
      expect((await hit()).isBlocked).toBe(true);
    } finally {
      await store.onApplicationShutdown();
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });
});
