import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** What a connection had left to send when it was last looked at, and since when. */
interface Seen {
  unsent: number;
  queued: number;
  since: number;
}

/**
 * Closes connections whose client stopped reading what it asked for. An HTTP server has no write
 * timeout: an answer the client does not read waits in the socket's buffer for as long as the
 * connection stays open, so a client that asks for a large answer (a FOCUS export, a report of
 * tens of thousands of rows) and never reads it holds megabytes until it hangs up itself, and a
 * few such clients a minute grow the heap without bound. A connection with bytes to send that
 * have not moved for `stallMs` is destroyed; a slow client that reads at all keeps its answer.
 *
 * The open connections are looked at every few seconds, so a request's own path pays nothing.
 * A large write stays whole in `writableLength` until the kernel has taken all of it; progress
 * within it shows only in libuv's write queue (`writeQueueSize` of the socket's handle, which
 * Node's own net module reads), so both are watched.
 */
export function closeStalledConnections(server: Server, stallMs: number): void {
  const open = new Map<Socket, Seen>();
  server.on('connection', (socket: Socket) => {
    open.set(socket, { unsent: 0, queued: 0, since: Date.now() });
    socket.once('close', () => open.delete(socket));
  });
  const timer = setInterval(
    () => {
      const now = Date.now();
      for (const [socket, seen] of open) {
        const unsent = socket.writableLength;
        const queued = (socket as Socket & { _handle?: { writeQueueSize?: number } })._handle?.writeQueueSize ?? 0;
        if (unsent === 0 || unsent !== seen.unsent || queued !== seen.queued) {
          Object.assign(seen, { unsent, queued, since: now });
        } else if (now - seen.since >= stallMs) {
          socket.destroy();
        }
      }
    },
    Math.max(100, Math.min(5_000, stallMs / 4)),
  );
  timer.unref();
  server.once('close', () => clearInterval(timer));
}
