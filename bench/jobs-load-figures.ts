import autocannon from 'autocannon';
import { HelioxClient } from './heliox-client';
import { Check, Figure, formatMs, formatRate, Target } from './report';
import { median, sampleLatencies, SamplingPlan } from './stats';

/**
 * GET /jobs under load: the API against a bare Express + pg handler running the same SQL
 * (bench/express-reference.ts), each hit by autocannon at 50 connections for the same time.
 */

const CONNECTIONS = 50;

interface Load {
  requestsPerSecond: number;
  /** Responses that were not 2xx, and socket errors or timeouts. */
  failures: number;
}

/** Two equal-length rounds as one. */
const combine = (a: Load, b: Load): Load => ({
  requestsPerSecond: (a.requestsPerSecond + b.requestsPerSecond) / 2,
  failures: a.failures + b.failures,
});

async function load(url: string, headers: Record<string, string>, seconds: number): Promise<Load> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers });
  return { requestsPerSecond: result.requests.average, failures: result.non2xx + result.errors + result.timeouts };
}

interface JobsPage {
  jobs: { job_id: string }[];
  total: number;
  next_cursor: string | null;
}

/** Follows next_cursor from page 1 to `page` (limit 50) and returns the query of that page. */
export async function walkToPage(api: HelioxClient, page: number): Promise<string> {
  let query = 'limit=50';
  for (let n = 1; n < page; n++) {
    const body = await api.get<JobsPage>(`/api/v1/jobs?${query}`);
    if (!body.next_cursor) throw new Error(`GET /jobs has no page ${n + 1} (next_cursor is null on page ${n})`);
    query = `limit=50&cursor=${encodeURIComponent(body.next_cursor)}`;
  }
  return query;
}

/**
 * The reference must answer what the API answers: the same jobs in the same order, the same
 * total and the same next cursor. (Hours of running jobs move with the clock, so rows are
 * compared by job id.)
 */
export async function checkSamePage(api: HelioxClient, referenceUrl: string, page: PageToLoad): Promise<Check> {
  const label = `GET /jobs ${page.name}: the Express reference returns the API's page`;
  const heliox = await api.get<JobsPage>(`/api/v1/jobs?${page.query}`);
  const reference = (await (await fetch(`${referenceUrl}/jobs?${page.query}`)).json()) as JobsPage;
  const parts = {
    jobs: (body: JobsPage) => body.jobs.map((j) => j.job_id).join(','),
    total: (body: JobsPage) => String(body.total),
    next_cursor: (body: JobsPage) => String(body.next_cursor),
  };
  const differ = Object.entries(parts).filter(([, part]) => part(heliox) !== part(reference));
  const detail = differ.map(
    ([name, part]) => `${name}: API ${part(heliox).slice(0, 60)} vs reference ${part(reference).slice(0, 60)}`,
  );
  return { label, ok: !differ.length, detail: differ.length ? detail.join('; ') : 'same jobs, total and next_cursor' };
}

export interface PageToLoad {
  name: string;
  query: string;
}

export const LOAD_TARGET: Target = { op: '≥', value: 0.8 };
export const CURSOR_TARGET: Target = { op: '≤', value: 2 };

export const loadLabel = (pageName: string, seconds: number) =>
  `GET /jobs ${pageName}: Heliox req/s ÷ Express + pg req/s (same SQL, ${CONNECTIONS} connections, ${seconds} s)`;
export const cursorLabel = (page: number) =>
  `GET /jobs cursor page ${page.toLocaleString('en-US')} latency ÷ page 1 latency (medians)`;

/** Seconds each side is loaded, unmeasured, before the timed rounds: JIT, pools and plan caches warm up. */
const WARM_UP_SECONDS = 2;

/**
 * Loads the API and the reference with the same query, in the order API, reference, reference,
 * API (half the time each round), after a warm-up of both: neither side gains from going first
 * or from the machine drifting during the figure. The figure is their ratio of requests/s.
 */
export async function compareUnderLoad(
  api: HelioxClient,
  referenceUrl: string,
  page: PageToLoad,
  seconds: number,
): Promise<Figure> {
  const apiUrl = `${api.baseUrl}/api/v1/jobs?${page.query}`;
  const refUrl = `${referenceUrl}/jobs?${page.query}`;
  const loadApi = (s: number) => load(apiUrl, api.authorization, s);
  const loadRef = (s: number) => load(refUrl, {}, s);
  const half = Math.max(1, Math.round(seconds / 2));
  await loadApi(WARM_UP_SECONDS);
  await loadRef(WARM_UP_SECONDS);
  const rounds: Load[] = [];
  rounds.push(await loadApi(half), await loadRef(half), await loadRef(half), await loadApi(half));
  const heliox = combine(rounds[0], rounds[3]);
  const reference = combine(rounds[1], rounds[2]);
  const label = loadLabel(page.name, seconds);
  const failures = heliox.failures + reference.failures;
  const ratio = heliox.requestsPerSecond / reference.requestsPerSecond;
  return {
    label,
    heliox: formatRate(heliox.requestsPerSecond, 'req/s'),
    reference: formatRate(reference.requestsPerSecond, 'req/s'),
    ratio,
    checked: ratio,
    target: LOAD_TARGET,
    unmeasured: failures
      ? `${heliox.failures} failed Heliox and ${reference.failures} failed reference requests`
      : undefined,
  };
}

/** Median latency of one page, fetched one request at a time. */
export async function pageLatency(api: HelioxClient, query: string, plan: SamplingPlan): Promise<number[]> {
  return sampleLatencies(() => api.get(`/api/v1/jobs?${query}`), plan);
}

export function cursorDepthFigure(page: number, deep: number[], first: number[]): Figure {
  const ratio = median(deep) / median(first);
  return {
    label: cursorLabel(page),
    heliox: `${formatMs(median(deep))} (n=${deep.length})`,
    reference: `${formatMs(median(first))} (page 1)`,
    ratio,
    checked: ratio,
    target: CURSOR_TARGET,
  };
}
