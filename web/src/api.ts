import { ApiError, describeFailure, NETWORK_FAILURE } from './errors';
import { bearerToken, endSession } from './session';
import type { LoginAnswer } from './types';

/** Calls to /api/v1 with the session's bearer token in the Authorization header (never in the URL). */

const API = '/api/v1';

export type Params = Record<string, string | number | undefined | null>;

function apiUrl(path: string, params: Params = {}): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
  }
  const text = query.toString();
  return `${API}${path}${text ? `?${text}` : ''}`;
}

async function send(url: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, NETWORK_FAILURE);
  }
  if (response.ok) return response;
  const body = (await response.json().catch(() => ({}))) as { message?: unknown; request_id?: unknown };
  const retryAfter = Number(response.headers.get('Retry-After') ?? NaN);
  const message = describeFailure({
    status: response.status,
    message: typeof body.message === 'string' ? body.message : undefined,
    requestId:
      typeof body.request_id === 'string' ? body.request_id : (response.headers.get('X-Request-Id') ?? undefined),
    retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined,
  });
  throw new ApiError(response.status, message);
}

async function authorised(path: string, params: Params, accept: string, signal?: AbortSignal): Promise<Response> {
  const token = bearerToken();
  if (!token) {
    endSession('Your session has ended. Sign in again.');
    throw new ApiError(401, describeFailure({ status: 401 }));
  }
  try {
    return await send(apiUrl(path, params), { headers: { Authorization: `Bearer ${token}`, Accept: accept }, signal });
  } catch (error) {
    // An expired, revoked or changed account: back to the sign-in form, saying why.
    if (error instanceof ApiError && error.status === 401) endSession(error.message);
    throw error;
  }
}

export async function getJson<T>(path: string, params: Params = {}, signal?: AbortSignal): Promise<T> {
  return (await (await authorised(path, params, 'application/json', signal)).json()) as T;
}

export async function login(username: string, password: string): Promise<LoginAnswer> {
  try {
    const response = await send(apiUrl('/auth/login'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    return (await response.json()) as LoginAnswer;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) throw new ApiError(401, 'Wrong e-mail or password.');
    throw error;
  }
}

/**
 * Fetches a file with the bearer header and hands it to the browser as a download (a Blob and a
 * temporary object URL), so the token never appears in a link. Returns the file's name and size.
 */
export async function download(
  path: string,
  params: Params,
  fallbackName: string,
): Promise<{ name: string; bytes: number }> {
  const response = await authorised(path, params, 'text/csv');
  const blob = await response.blob();
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download; the URL can go once the browser has taken the file.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return { name, bytes: blob.size };
}
