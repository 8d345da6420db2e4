import { connect } from 'node:net';

export interface RawRequest {
  method: string;
  /** Sent exactly as given: percent-encoding, odd bytes and all. */
  path: string;
  /** Header lines as given, also ones an HTTP client library would refuse to send. */
  headers?: Record<string, string>;
  /** With Content-Length, or chunked when `chunked` is set. */
  body?: string | Buffer;
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  /** The JSON body, when the body is JSON. */
  body: Record<string, unknown> | undefined;
  /** Milliseconds from the first byte sent to the whole response read. */
  ms: number;
}

/**
 * One HTTP/1.1 request over a plain socket, so a test can send what a careless or hostile client
 * sends (NUL in a header, a malformed path, a body with no length) and read what the server
 * answers. The server may answer before the body is sent in full; the answer is what counts.
 */
export function rawRequest(port: number, req: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(60_000, () => socket.destroy(new Error(`no answer to ${req.method} ${req.path}`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const finish = () => {
      const response = parseResponse(Buffer.concat(chunks));
      if (response) resolve({ ...response, ms: performance.now() - started });
      else reject(new Error(`no HTTP answer to ${req.method} ${req.path}`));
    };
    socket.on('end', finish);
    // A server that answers early and closes may reset a socket still sending: the answer read so far counts.
    socket.on('error', (error) => (parseResponse(Buffer.concat(chunks)) ? finish() : reject(error)));
    socket.on('connect', () => {
      const body = req.body === undefined || Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body);
      const lines = [`${req.method} ${req.path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
      for (const [name, value] of Object.entries(req.headers ?? {})) lines.push(`${name}: ${value}`);
      if (body && req.chunked) lines.push('Transfer-Encoding: chunked');
      else if (body) lines.push(`Content-Length: ${body.length}`);
      socket.write(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'));
      if (!body) return;
      if (!req.chunked) return void socket.write(body);
      for (let at = 0; at < body.length; at += 64 * 1024) {
        const part = body.subarray(at, at + 64 * 1024);
        socket.write(`${part.length.toString(16)}\r\n`);
        socket.write(part);
        socket.write('\r\n');
      }
      socket.write('0\r\n\r\n');
    });
  });
}

function parseResponse(raw: Buffer): Omit<RawResponse, 'ms'> | undefined {
  const text = raw.toString('utf8');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  if (!status) return undefined;
  const headerEnd = text.indexOf('\r\n\r\n');
  let body: Record<string, unknown> | undefined;
  if (headerEnd !== -1) {
    const head = text.slice(0, headerEnd);
    let payload = text.slice(headerEnd + 4);
    if (/^transfer-encoding:\s*chunked/im.test(head)) payload = unchunk(payload);
    try {
      body = JSON.parse(payload) as Record<string, unknown>;
    } catch {
      body = undefined;
    }
  }
  return { status: Number(status[1]), body };
}

function unchunk(payload: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const lineEnd = payload.indexOf('\r\n', at);
    if (lineEnd === -1) return out;
    const size = parseInt(payload.slice(at, lineEnd), 16);
    if (!size) return out;
    out += payload.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}
