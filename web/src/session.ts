import type { LoginAnswer } from './types';

/**
 * The signed-in session: the bearer token lives in this tab's sessionStorage (gone when the tab
 * closes, never in a URL or a cookie), with its expiry. When it expires, or the API answers 401,
 * the session ends and the page goes back to the sign-in form saying why.
 */

const KEY = 'heliox.session';

interface Stored {
  token: string;
  expiresAt: number;
}

type Listener = (reason: string | null) => void;

const listeners = new Set<Listener>();
let current: Stored | null = read();
let expiryTimer: number | undefined;
scheduleExpiry();

function read(): Stored | null {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Stored | null;
    return parsed && typeof parsed.token === 'string' && parsed.expiresAt > Date.now() ? parsed : null;
  } catch {
    return null;
  }
}

function scheduleExpiry(): void {
  window.clearTimeout(expiryTimer);
  if (current) {
    expiryTimer = window.setTimeout(
      () => endSession('Your session expired. Sign in again.'),
      current.expiresAt - Date.now(),
    );
  }
}

export function bearerToken(): string | null {
  return current && current.expiresAt > Date.now() ? current.token : null;
}

export function startSession(answer: LoginAnswer): void {
  current = { token: answer.access_token, expiresAt: Date.now() + answer.expires_in * 1000 };
  sessionStorage.setItem(KEY, JSON.stringify(current));
  scheduleExpiry();
  listeners.forEach((listener) => listener(null));
}

/** Ends the session; `reason` is shown on the sign-in form (none for a sign-out). */
export function endSession(reason: string | null): void {
  if (!current) return;
  current = null;
  sessionStorage.removeItem(KEY);
  scheduleExpiry();
  listeners.forEach((listener) => listener(reason));
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
