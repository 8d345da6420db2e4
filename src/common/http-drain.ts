import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';

const DRAIN_TIMEOUT_MS = 10_000;

/**
 * On shutdown, stops accepting connections and lets in-flight requests finish before the
 * shutdown hooks close the database pool (Nest would otherwise close the HTTP server last).
 * Requests still running after the timeout are cut off.
 */
@Injectable()
export class HttpDrain implements BeforeApplicationShutdown {
  private readonly logger = new Logger(HttpDrain.name);

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server?.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => {
      this.logger.warn(`Requests still running after ${DRAIN_TIMEOUT_MS} ms; closing their connections`);
      server.closeAllConnections();
    }, DRAIN_TIMEOUT_MS);
    await closed;
    clearTimeout(timer);
  }
}
