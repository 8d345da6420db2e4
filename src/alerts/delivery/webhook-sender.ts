import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { guardedLookup, urlProblem } from './receiver-address';

/** How long a receiver has to answer (status line) before the attempt counts as failed. */
export const DELIVERY_TIMEOUT_MS = 5_000;

interface OutgoingAlert {
  url: string;
  secret: string | null;
  eventId: string;
  /** The JSON body, exactly as sent and signed. */
  body: string;
}

export type SendResult = { ok: true; status: number } | { ok: false; error: string };

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` with the channel's secret. */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * One POST to a receiver. A 2xx is delivered; anything else — another status (redirects are not
 * followed), a refused or unresolvable address, a connection error, or no answer within
 * `timeoutMs` (DELIVERY_TIMEOUT_MS) — is a failure with a reason fit for `last_error`.
 */
export function sendAlert(
  alert: OutgoingAlert,
  timeoutMs = DELIVERY_TIMEOUT_MS,
  now = new Date(),
): Promise<SendResult> {
  // IP literals never reach the lookup: urlProblem refuses the forbidden ones by their text.
  const problem = urlProblem(alert.url);
  if (problem) return Promise.resolve({ ok: false, error: problem });
  const url = new URL(alert.url);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(alert.body)),
    'User-Agent': 'Heliox-Alerts/1',
    'X-Heliox-Event-Id': alert.eventId,
    'X-Heliox-Timestamp': timestamp,
  };
  if (alert.secret) headers['X-Heliox-Signature'] = signature(alert.secret, timestamp, alert.body);
  const client = url.protocol === 'https:' ? https : http;

  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const request = client.request(url, {
      method: 'POST',
      headers,
      // One connection per attempt: nothing lingers in a pool after shutdown, and each attempt
      // resolves (and checks) the host again.
      agent: false,
      lookup: guardedLookup,
    });
    // Armed until the exchange closes, not just until the status: a receiver that trickles an
    // endless body is cut off too, instead of holding the socket for ever.
    const timer = setTimeout(() => {
      finish({ ok: false, error: `no answer within ${timeoutMs / 1000} s` });
      request.destroy();
    }, timeoutMs);
    request.on('close', () => clearTimeout(timer));
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      // The body is not needed; reading it lets the socket close cleanly.
      response.resume();
      finish(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, error: `HTTP ${status}` });
    });
    request.on('error', (error: NodeJS.ErrnoException) =>
      finish({ ok: false, error: error.code ? `${error.code}: ${error.message}` : error.message }),
    );
    request.end(alert.body);
  });
}
