import type { AddressInfo } from 'node:net';
import { expectErrorShape } from './support/expectations';
import { adminAuth, API_KEY, createJob, createTeam, memberAuth } from './support/factories';
import { rawRequest, RawRequest, RawResponse } from './support/raw-http';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Requests a careless or hostile client sends, across every route: each must be refused with a
 * 4xx in the common error shape (never a 5xx), quickly, while /health keeps answering.
 *
 * The table is data: add a row to `CASES` for a new route or a new kind of bad input. A row
 * names the request (raw: what a client library would refuse to send is sent as it is), who
 * sends it, and optionally the exact status and the field the error must name.
 *
 * Time limits are generous against what they guard (a request that stalls the process for
 * seconds): /health is polled while each case runs and must answer every poll within
 * HEALTH_MS (it takes a few ms when idle), and each refusal must arrive within ANSWER_MS.
 * Both are far below the stalls they catch (an 8 MB nested body took 40 s and froze /health
 * for 30 s). On a busy two-core machine a poll can miss HEALTH_MS for reasons of its own (the
 * process not scheduled, a garbage collection), so a case that misses a time limit is sent
 * again, up to ATTEMPTS times in all: a stall the request causes repeats every time, a
 * scheduling hiccup does not.
 */
const HEALTH_MS = 200;
const ANSWER_MS = 2_000;
const ATTEMPTS = 3;

type Caller = 'anonymous' | 'admin' | 'member' | 'api-key';

interface HostileCase {
  /** What the case sends, in a few words. */
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Raw path and query, under /api/v1. */
  path: string;
  as: Caller;
  /** A JSON value (serialised), a string or Buffer (sent as it is), or a function building a large one. */
  body?: unknown;
  /** Content-Type of the body; application/json when a body is given. */
  type?: string | null;
  headers?: Record<string, string>;
  chunked?: boolean;
  /** The exact status expected; any 4xx when left out. */
  status?: number;
  /** The field the error's details must name. */
  field?: string;
}

const MB = 1024 * 1024;
/** `[[[[…]]]]` of `bytes` bytes. */
const nestedArrays = (bytes: number) => () => Buffer.alloc(bytes, '[').fill(']', bytes / 2);
/** `{"a":{"a":…}}` of about `bytes` bytes. */
const nestedObjects = (bytes: number) => () => '{"a":'.repeat(bytes / 6) + '1' + '}'.repeat(bytes / 6);
/** A flat array of zeros, `[0,0,…,0]`, of about `bytes` bytes, between `before` and `after`. */
const flatArray =
  (bytes: number, before = '', after = '') =>
  () =>
    Buffer.concat([Buffer.from(`${before}[`), Buffer.alloc(bytes - 2, '0,'), Buffer.from(`0]${after}`)]);
/** An object with `n` keys. */
const wideObject = (n: number) => `{${Array.from({ length: n }, (_, i) => `"k${i}":1`).join(',')}}`;

const NUL = '%00';
const UUID0 = '00000000-0000-4000-8000-000000000000';
const RTL = encodeURIComponent('\u202e');
const GOOD_LOGIN = { username: 'someone@example.com', password: 'long-enough-password' };
const RANGE = 'start=2026-01-01&end=2026-01-31';

/** The routes that take a JSON body, each with a valid body (to spoil field by field) and its caller. */
const BODY_ROUTES: {
  name: string;
  method: 'POST' | 'PATCH';
  path: string;
  as: Caller;
  body: Record<string, unknown>;
}[] = [
  { name: 'login', method: 'POST', path: '/auth/login', as: 'anonymous', body: GOOD_LOGIN },
  { name: 'create team', method: 'POST', path: '/teams', as: 'admin', body: { name: 'hostile-team' } },
  { name: 'change team', method: 'PATCH', path: `/teams/${UUID0}`, as: 'admin', body: { name: 'hostile-team' } },
  {
    name: 'create user',
    method: 'POST',
    path: '/admin/users',
    as: 'api-key',
    body: { email: 'hostile@example.com', password: 'long-enough-password', role: 'admin' },
  },
  { name: 'change user', method: 'PATCH', path: `/admin/users/${UUID0}`, as: 'api-key', body: { role: 'admin' } },
  {
    name: 'create alert channel',
    method: 'POST',
    path: '/alerts/channels',
    as: 'admin',
    body: { name: 'hostile-hook', kind: 'webhook', url: 'http://127.0.0.1:9/hook' },
  },
  {
    name: 'create alert rule',
    method: 'POST',
    path: '/alerts/rules',
    as: 'admin',
    body: { name: 'hostile-rule', kind: 'budget_actual', channel_id: UUID0 },
  },
  { name: 'change alert rule', method: 'PATCH', path: `/alerts/rules/${UUID0}`, as: 'admin', body: { name: 'x' } },
  {
    name: 'declare capacity',
    method: 'POST',
    path: '/capacity',
    as: 'admin',
    body: { provider: 'aws', gpu_type: 'h100', gpu_count: 8, from: '2026-01-01' },
  },
  { name: 'change capacity', method: 'PATCH', path: `/capacity/${UUID0}`, as: 'admin', body: { gpu_type: 'a100' } },
];

/** Where a row goes: the method, path and caller of a route. */
const target = (r: { method: HostileCase['method']; path: string; as: Caller }) => ({
  method: r.method,
  path: r.path,
  as: r.as,
});

/** Every route that reads query parameters, with a valid query to add a bad one to. */
const QUERY_ROUTES: { name: string; path: string; as: Caller; query: string }[] = [
  { name: 'jobs', path: '/jobs', as: 'member', query: 'limit=5' },
  { name: 'teams', path: '/teams', as: 'admin', query: 'limit=5' },
  { name: 'users', path: '/admin/users', as: 'api-key', query: 'limit=5' },
  { name: 'ingestions', path: '/admin/ingestions', as: 'api-key', query: 'limit=5' },
  { name: 'cost by model', path: '/analytics/cost/by-model', as: 'member', query: RANGE },
  { name: 'cost by team', path: '/analytics/cost/by-team', as: 'member', query: RANGE },
  { name: 'cost', path: '/analytics/cost', as: 'member', query: RANGE },
  { name: 'FOCUS export', path: '/analytics/cost/export', as: 'member', query: RANGE },
  { name: 'budgets', path: '/analytics/budgets', as: 'member', query: 'month=2026-01' },
  { name: 'trends', path: '/analytics/trends', as: 'member', query: `${RANGE}&group_by=team` },
  { name: 'forecast', path: '/analytics/forecast', as: 'member', query: 'month=2026-01' },
  { name: 'anomalies', path: '/analytics/anomalies', as: 'member', query: RANGE },
  { name: 'alert channels', path: '/alerts/channels', as: 'admin', query: 'limit=5' },
  { name: 'alert rules', path: '/alerts/rules', as: 'admin', query: 'limit=5' },
  { name: 'alert events', path: '/alerts/events', as: 'member', query: 'limit=5' },
  { name: 'alert deliveries', path: '/alerts/deliveries', as: 'admin', query: 'limit=5' },
  { name: 'capacity', path: '/capacity', as: 'admin', query: 'limit=5' },
  { name: 'cost explanation', path: '/jobs/job-1/cost/explain', as: 'member', query: 'day=2026-01-03' },
];

/** The routes with a path parameter, and its name. */
const PARAM_ROUTES: { name: string; method: 'GET' | 'PATCH' | 'DELETE'; path: string; as: Caller; param: string }[] = [
  { name: 'job', method: 'GET', path: '/jobs/', as: 'member', param: 'job_id' },
  { name: 'team', method: 'GET', path: '/teams/', as: 'admin', param: 'id' },
  { name: 'change team', method: 'PATCH', path: '/teams/', as: 'admin', param: 'id' },
  { name: 'change user', method: 'PATCH', path: '/admin/users/', as: 'api-key', param: 'id' },
  { name: 'delete user', method: 'DELETE', path: '/admin/users/', as: 'api-key', param: 'id' },
  { name: 'ingestion run', method: 'GET', path: '/admin/ingestions/', as: 'api-key', param: 'id' },
  { name: 'delete alert channel', method: 'DELETE', path: '/alerts/channels/', as: 'admin', param: 'id' },
  { name: 'alert rule', method: 'GET', path: '/alerts/rules/', as: 'admin', param: 'id' },
  { name: 'change alert rule', method: 'PATCH', path: '/alerts/rules/', as: 'admin', param: 'id' },
  { name: 'delete alert rule', method: 'DELETE', path: '/alerts/rules/', as: 'admin', param: 'id' },
  { name: 'capacity', method: 'GET', path: '/capacity/', as: 'admin', param: 'id' },
  { name: 'change capacity', method: 'PATCH', path: '/capacity/', as: 'admin', param: 'id' },
  { name: 'remove capacity', method: 'DELETE', path: '/capacity/', as: 'admin', param: 'id' },
];

const CASES: HostileCase[] = [
  // --- Bodies too large, too deep, too wide: refused before anything walks them.
  ...BODY_ROUTES.flatMap((r): HostileCase[] => [
    {
      name: `${r.name}: 8 MB of nested arrays`,
      ...target(r),
      body: nestedArrays(8 * MB),
      status: 413,
      field: 'body',
    },
    {
      name: `${r.name}: 8 MB of nested arrays, chunked (no length)`,
      ...target(r),
      body: nestedArrays(8 * MB),
      chunked: true,
      status: 413,
    },
    { name: `${r.name}: 8 MB flat array`, ...target(r), body: flatArray(8 * MB), status: 413 },
    {
      name: `${r.name}: 60 kB of nested arrays`,
      ...target(r),
      body: nestedArrays(60_000),
      status: 400,
      field: 'body',
    },
    {
      name: `${r.name}: 60 kB of nested objects`,
      ...target(r),
      body: nestedObjects(60_000),
      status: 400,
      field: 'body',
    },
    { name: `${r.name}: 60 kB flat array`, ...target(r), body: flatArray(60_000), status: 413, field: 'body' },
    { name: `${r.name}: 5,000 keys`, ...target(r), body: () => wideObject(5_000), status: 413, field: 'body' },
    { name: `${r.name}: a field holding 20,000 numbers`, ...target(r), body: flatArray(40_000, '{"name":', '}') },
  ]),
  {
    name: 'login: 8 MB form body',
    method: 'POST',
    path: '/auth/login',
    as: 'anonymous',
    body: () => `username=${'a'.repeat(8 * MB)}`,
    type: 'application/x-www-form-urlencoded',
    status: 413,
  },
  {
    name: 'login: 5,000 form fields',
    method: 'POST',
    path: '/auth/login',
    as: 'anonymous',
    body: () => Array.from({ length: 5_000 }, (_, i) => `f${i}=1`).join('&'),
    type: 'application/x-www-form-urlencoded',
    status: 413,
  },
  {
    name: 'jobs listing: 8 MB JSON body on a GET',
    method: 'GET',
    path: '/jobs',
    as: 'member',
    body: nestedArrays(8 * MB),
    status: 413,
  },
  {
    name: 'unknown route: 8 MB of nested arrays',
    method: 'POST',
    path: '/nowhere',
    as: 'anonymous',
    body: nestedArrays(8 * MB),
    status: 413,
  },
  {
    name: 'ingest jobs: 8 MB of nested arrays in jobs',
    method: 'POST',
    path: '/admin/ingest/jobs',
    as: 'api-key',
    body: () => Buffer.concat([Buffer.from('{"jobs":'), nestedArrays(8 * MB)(), Buffer.from('}')]),
  },
  {
    name: 'ingest jobs: 2,000,000 zeros in jobs',
    method: 'POST',
    path: '/admin/ingest/jobs',
    as: 'api-key',
    body: flatArray(4 * MB, '{"jobs":', '}'),
    status: 413,
    field: 'body',
  },
  {
    name: 'ingest costs: 1 MB of nested objects in a record',
    method: 'POST',
    path: '/admin/ingest/costs',
    as: 'api-key',
    body: () => `{"cost_snapshots":[${nestedObjects(MB)()}]}`,
    status: 400,
    field: 'body',
  },
  {
    name: 'ingest costs: body past BODY_LIMIT',
    method: 'POST',
    path: '/admin/ingest/costs',
    as: 'api-key',
    body: flatArray(11 * MB, '{"cost_snapshots":', '}'),
    status: 413,
  },

  // --- NUL, which PostgreSQL text cannot hold, in every kind of input.
  ...PARAM_ROUTES.map((r): HostileCase => ({
    name: `${r.name}: NUL in :${r.param}`,
    method: r.method,
    path: `${r.path}job${NUL}x`,
    as: r.as,
    body: r.method === 'PATCH' ? {} : undefined,
    status: 400,
    field: r.param,
  })),
  {
    name: 'job: NUL alone as :job_id',
    method: 'GET',
    path: `/jobs/${NUL}`,
    as: 'member',
    status: 400,
    field: 'job_id',
  },
  {
    name: 'team: NUL in :id',
    method: 'GET',
    path: `/teams/${UUID0.slice(0, 35)}${NUL}`,
    as: 'admin',
    status: 400,
    field: 'id',
  },
  ...[
    ['jobs', '/jobs', 'member', 'provider', 'aws'],
    ['jobs', '/jobs', 'member', 'gpu_type', 'h100'],
    ['jobs', '/jobs', 'member', 'model_name', 'llama'],
    ['jobs', '/jobs', 'member', 'status', 'completed'],
    ['jobs', '/jobs', 'member', 'cursor', 'abc'],
    ['jobs', '/jobs', 'member', 'team_id', UUID0],
    ['jobs', '/jobs', 'member', 'start', '2026-01-01'],
    ['jobs', '/jobs', 'member', 'sort', 'start_time'],
    ['teams', '/teams', 'admin', 'skip', '1'],
    ['users', '/admin/users', 'api-key', 'limit', '5'],
    ['ingestions', '/admin/ingestions', 'api-key', 'kind', 'jobs'],
    ['cost', `/analytics/cost?${RANGE}`, 'member', 'model_name', 'llama'],
    ['cost', `/analytics/cost?${RANGE}`, 'member', 'group_by', 'team'],
    ['cost by team', '/analytics/cost/by-team?end=2026-01-31', 'member', 'start', '2026-01-01'],
    ['FOCUS export', '/analytics/cost/export?start=2026-01-01', 'member', 'end', '2026-01-31'],
    ['budgets', '/analytics/budgets', 'member', 'month', '2026-01'],
    ['trends', `/analytics/trends?${RANGE}`, 'member', 'group_by', 'team'],
    ['forecast', '/analytics/forecast', 'member', 'month', '2026-01'],
    ['cost', `/analytics/cost?${RANGE}`, 'member', 'idle', 'share'],
    ['capacity', '/capacity', 'admin', 'gpu_type', 'h100'],
    ['cost explanation', '/jobs/job-1/cost/explain', 'member', 'day', '2026-01-03'],
  ].map(([route, path, as, param, value]): HostileCase => ({
    name: `${route}: NUL in ?${param}`,
    method: 'GET',
    path: `${path}${path.includes('?') ? '&' : '?'}${param}=${value}${NUL}`,
    as: as as Caller,
    status: 400,
    field: param,
  })),
  {
    name: 'ingest jobs: NUL in ?dry_run',
    method: 'POST',
    path: `/admin/ingest/jobs/mock?dry_run=true${NUL}`,
    as: 'api-key',
    status: 400,
    field: 'dry_run',
  },
  {
    name: 'jobs: NUL in a query parameter name',
    method: 'GET',
    path: `/jobs?provider${NUL}=aws`,
    as: 'member',
    status: 400,
  },
  ...BODY_ROUTES.flatMap((r) =>
    Object.keys(r.body).map((key): HostileCase => ({
      name: `${r.name}: NUL in body field ${key}`,
      ...target(r),
      body: { ...r.body, [key]: `${String(r.body[key])}\u0000` },
      status: 400,
      field: key,
    })),
  ),
  {
    name: 'login: NUL in a form field',
    method: 'POST',
    path: '/auth/login',
    as: 'anonymous',
    body: 'username=a%00b%40example.com&password=long-enough-password',
    type: 'application/x-www-form-urlencoded',
    status: 400,
    field: 'username',
  },
  {
    name: 'create team: NUL in a property name',
    method: 'POST',
    path: '/teams',
    as: 'admin',
    body: '{"name":"x","de\\u0000sc":"y"}',
    status: 400,
  },
  {
    name: 'create team: NUL in description',
    method: 'POST',
    path: '/teams',
    as: 'admin',
    body: { name: 'nul-desc', description: 'a\u0000b' },
    status: 400,
    field: 'description',
  },
  ...(['X-Request-Id', 'Authorization', 'X-API-Key', 'Accept'] as const).map((header): HostileCase => ({
    name: `jobs: raw NUL in the ${header} header`,
    method: 'GET',
    path: '/jobs',
    as: 'anonymous',
    headers: { [header]: 'a\u0000b' },
  })),

  // --- Dates and numbers out of range.
  ...[
    ['cost by model', '/analytics/cost/by-model', 'start=0000-01-01&end=0000-01-31', 'start'],
    ['cost by model', '/analytics/cost/by-model', 'start=9999-12-01&end=9999-12-31', 'start'],
    ['cost by team', '/analytics/cost/by-team', 'start=1999-12-31&end=2000-01-31', 'start'],
    ['cost by team', '/analytics/cost/by-team', 'start=2100-12-01&end=2101-01-01', 'end'],
    ['cost', '/analytics/cost', 'start=9999-12-01&end=9999-12-31&group_by=week', 'start'],
    ['cost', '/analytics/cost', 'start=0001-01-01&end=0001-01-02&group_by=month', 'start'],
    ['FOCUS export', '/analytics/cost/export', 'start=9999-12-30&end=9999-12-31', 'start'],
    ['jobs', '/jobs', 'end=9999-12-31', 'end'],
    ['jobs', '/jobs', 'start=0000-01-01', 'start'],
    ['budgets', '/analytics/budgets', 'month=0000-01', 'month'],
    ['budgets', '/analytics/budgets', 'month=9999-12', 'month'],
    ['budgets', '/analytics/budgets', 'month=2101-01', 'month'],
    ['forecast', '/analytics/forecast', 'month=9999-12', 'month'],
    ['cost explanation', '/jobs/job-1/cost/explain', 'day=9999-12-31', 'day'],
    ['trends', '/analytics/trends', 'start=9999-12-01&end=9999-12-31&group_by=team', 'start'],
    ['trends', '/analytics/trends', `${RANGE}&group_by=team&limit=1e20`, 'limit'],
    ['jobs', '/jobs', 'skip=100000000000000000000', 'skip'],
    ['jobs', '/jobs', 'skip=1e20', 'skip'],
    ['jobs', '/jobs', 'skip=999999999999999', 'skip'],
    ['jobs', '/jobs', 'skip=100001', 'skip'],
    ['jobs', '/jobs', 'limit=1e20', 'limit'],
    ['jobs', '/jobs', 'limit=-1', 'limit'],
    ['teams', '/teams', 'skip=999999999999999', 'skip'],
    ['users', '/admin/users', 'skip=999999999999999', 'skip'],
    ['ingestions', '/admin/ingestions', 'skip=999999999999999', 'skip'],
  ].map(([route, path, query, field]): HostileCase => ({
    name: `${route}: ${query}`,
    method: 'GET',
    path: `${path}?${query}`,
    as: path.startsWith('/admin') ? 'api-key' : path === '/teams' ? 'admin' : 'member',
    status: 400,
    field,
  })),
  ...(
    [
      ['an impossible day', { o: 'desc', t: '2026-02-30T00:00:00.000000Z', j: 'job-1' }],
      ['year 0000', { o: 'desc', t: '0000-01-01T00:00:00.000000Z', j: 'job-1' }],
      ['hour 24', { o: 'desc', t: '2026-01-01T24:00:00.000000Z', j: 'job-1' }],
      ['a NUL in the job id', { o: 'desc', t: '2026-01-01T00:00:00.000000Z', j: 'job\u0000' }],
      ['a lone surrogate in the job id', { o: 'desc', t: '2026-01-01T00:00:00.000000Z', j: '\ud800' }],
      ['a number for the job id', { o: 'desc', t: '2026-01-01T00:00:00.000000Z', j: 7 }],
    ] as [string, object][]
  ).map(([what, payload]): HostileCase => ({
    name: `jobs: a cursor with ${what}`,
    method: 'GET',
    path: `/jobs?cursor=${Buffer.from(JSON.stringify(payload)).toString('base64url')}`,
    as: 'member',
    status: 400,
    field: 'cursor',
  })),
  {
    name: 'create team: budget 1e308',
    method: 'POST',
    path: '/teams',
    as: 'admin',
    body: '{"name":"big","budget_usd":1e308}',
    status: 400,
    field: 'budget_usd',
  },
  {
    name: 'create team: negative budget',
    method: 'POST',
    path: '/teams',
    as: 'admin',
    body: { name: 'neg', budget_usd: -1 },
    status: 400,
    field: 'budget_usd',
  },
  {
    name: 'change team: budget with 3 decimals',
    method: 'PATCH',
    path: `/teams/${UUID0}`,
    as: 'admin',
    body: { budget_usd: 1.005 },
    status: 400,
    field: 'budget_usd',
  },
  // class-validator's maxDecimalPlaces threw on a number JavaScript writes with an exponent.
  ...[
    { route: 'create team', method: 'POST' as const, path: '/teams', field: 'budget_usd', extra: { name: 'tiny' } },
    { route: 'change team', method: 'PATCH' as const, path: `/teams/${UUID0}`, field: 'budget_usd', extra: {} },
    {
      route: 'declare capacity',
      method: 'POST' as const,
      path: '/capacity',
      field: 'gpu_count',
      extra: { provider: 'aws', gpu_type: 'h100', from: '2026-01-01' },
    },
    { route: 'change capacity', method: 'PATCH' as const, path: `/capacity/${UUID0}`, field: 'gpu_count', extra: {} },
  ].flatMap(({ route, method, path, field, extra }): HostileCase[] =>
    ['1e-7', '1.5e-7'].map((value) => ({
      name: `${route}: ${field} ${value}`,
      method,
      path,
      as: 'admin',
      body: `{${Object.entries(extra)
        .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)},`)
        .join('')}"${field}":${value}}`,
      status: 400,
      field,
    })),
  ),
  {
    name: 'ingest jobs: NDJSON lines of a megabyte of nested arrays',
    method: 'POST',
    path: '/admin/ingest/jobs',
    as: 'api-key',
    body: () => Array.from({ length: 3 }, () => nestedArrays(MB - 2)().toString('latin1')).join('\n'),
    type: 'application/x-ndjson',
    status: 400,
  },

  // --- Wrong types, and arrays where one value is expected.
  {
    name: 'login: a number for username',
    method: 'POST',
    path: '/auth/login',
    as: 'anonymous',
    body: { username: 1, password: 'x' },
    status: 400,
    field: 'username',
  },
  {
    name: 'login: an array for password',
    method: 'POST',
    path: '/auth/login',
    as: 'anonymous',
    body: { username: 'a@b.c', password: ['x', 'y'] },
    status: 400,
    field: 'password',
  },
  {
    name: 'login: an object for username',
    method: 'POST',
    path: '/auth/login',
    as: 'anonymous',
    body: { username: { $ne: '' }, password: 'x' },
    status: 400,
    field: 'username',
  },
  {
    name: 'login: a JSON array as the body',
    method: 'POST',
    path: '/auth/login',
    as: 'anonymous',
    body: [GOOD_LOGIN],
    status: 400,
  },
  {
    name: 'login: a JSON string as the body',
    method: 'POST',
    path: '/auth/login',
    as: 'anonymous',
    body: '"username"',
    status: 400,
  },
  {
    name: 'create team: a string budget',
    method: 'POST',
    path: '/teams',
    as: 'admin',
    body: { name: 'x', budget_usd: '100' },
    status: 400,
    field: 'budget_usd',
  },
  {
    name: 'create team: an array for name',
    method: 'POST',
    path: '/teams',
    as: 'admin',
    body: { name: ['a', 'b'] },
    status: 400,
    field: 'name',
  },
  {
    name: 'create user: a number for role',
    method: 'POST',
    path: '/admin/users',
    as: 'api-key',
    body: { email: 'a@b.co', password: 'long-enough', role: 5 },
    status: 400,
    field: 'role',
  },
  {
    name: 'change user: "yes" for disabled',
    method: 'PATCH',
    path: `/admin/users/${UUID0}`,
    as: 'api-key',
    body: { disabled: 'yes' },
    status: 400,
    field: 'disabled',
  },
  {
    name: 'ingest jobs: a JSON array as the body',
    method: 'POST',
    path: '/admin/ingest/jobs',
    as: 'api-key',
    body: [],
    status: 400,
  },
  {
    name: 'ingest costs: a string for the list',
    method: 'POST',
    path: '/admin/ingest/costs',
    as: 'api-key',
    body: { cost_snapshots: 'all' },
    status: 400,
  },
  {
    name: 'jobs: ?limit=1&limit=2',
    method: 'GET',
    path: '/jobs?limit=1&limit=2',
    as: 'member',
    status: 400,
    field: 'limit',
  },
  {
    name: 'jobs: ?skip=0&skip=1',
    method: 'GET',
    path: '/jobs?skip=0&skip=1',
    as: 'member',
    status: 400,
    field: 'skip',
  },
  {
    name: 'jobs: two statuses',
    method: 'GET',
    path: '/jobs?status=running&status=failed',
    as: 'member',
    status: 400,
    field: 'status',
  },
  {
    name: 'jobs: two team ids',
    method: 'GET',
    path: `/jobs?team_id=${UUID0}&team_id=${UUID0}`,
    as: 'member',
    status: 400,
    field: 'team_id',
  },
  {
    name: 'cost by team: two starts',
    method: 'GET',
    path: `/analytics/cost/by-team?${RANGE}&start=2026-01-02`,
    as: 'member',
    status: 400,
    field: 'start',
  },
  {
    name: 'budgets: two months',
    method: 'GET',
    path: '/analytics/budgets?month=2026-01&month=2026-02',
    as: 'member',
    status: 400,
    field: 'month',
  },
  {
    name: 'ingest: ?dry_run twice',
    method: 'POST',
    path: '/admin/ingest/costs/mock?dry_run=true&dry_run=false',
    as: 'api-key',
    status: 400,
    field: 'dry_run',
  },
  { name: 'jobs: bracketed array syntax', method: 'GET', path: '/jobs?provider[]=aws', as: 'member', status: 400 },
  { name: 'jobs: limit=abc', method: 'GET', path: '/jobs?limit=abc', as: 'member', status: 400, field: 'limit' },
  { name: 'jobs: limit=1.5', method: 'GET', path: '/jobs?limit=1.5', as: 'member', status: 400, field: 'limit' },
  {
    name: 'declare capacity: gpu_count 1e308',
    method: 'POST',
    path: '/capacity',
    as: 'admin',
    body: '{"provider":"aws","gpu_type":"h100","gpu_count":1e308,"from":"2026-01-01"}',
    status: 400,
    field: 'gpu_count',
  },
  {
    name: 'declare capacity: a period from year 9999',
    method: 'POST',
    path: '/capacity',
    as: 'admin',
    body: { provider: 'aws', gpu_type: 'h100', gpu_count: 8, from: '9999-12-31' },
    status: 400,
    field: 'from',
  },
  {
    name: 'cost: group_by with 50 dimensions',
    method: 'GET',
    path: `/analytics/cost?${RANGE}&group_by=${'day,'.repeat(50)}`,
    as: 'member',
    status: 400,
    field: 'group_by',
  },

  ...QUERY_ROUTES.flatMap((r): HostileCase[] => [
    {
      name: `${r.name}: every parameter twice`,
      method: 'GET',
      path: `${r.path}?${r.query}&${r.query}`,
      as: r.as,
      status: 400,
      field: r.query.split('=')[0],
    },
    {
      name: `${r.name}: an unknown parameter holding NUL`,
      method: 'GET',
      path: `${r.path}?${r.query}&x=${NUL}`,
      as: r.as,
      status: 400,
      field: 'x',
    },
  ]),

  // --- Keys that reach a prototype.
  ...BODY_ROUTES.flatMap((r): HostileCase[] => [
    {
      name: `${r.name}: __proto__ in the body`,
      ...target(r),
      body: `{"__proto__":{"role":"admin"},${JSON.stringify(r.body).slice(1)}`,
      status: 400,
      field: '__proto__',
    },
    {
      name: `${r.name}: constructor.prototype in the body`,
      ...target(r),
      body: `{"constructor":{"prototype":{"x":1}},${JSON.stringify(r.body).slice(1)}`,
      status: 400,
      field: 'constructor',
    },
  ]),
  { name: 'jobs: ?__proto__=x', method: 'GET', path: '/jobs?__proto__=x', as: 'member', status: 400 },
  { name: 'jobs: ?constructor=x', method: 'GET', path: '/jobs?constructor=x', as: 'member', status: 400 },
  {
    name: 'login: constructor as a form field',
    method: 'POST',
    path: '/auth/login',
    as: 'anonymous',
    body: 'constructor=x&username=a%40b.c&password=long-enough',
    type: 'application/x-www-form-urlencoded',
    status: 400,
  },

  // --- Unicode oddities.
  {
    name: 'login: a lone surrogate in username',
    method: 'POST',
    path: '/auth/login',
    as: 'anonymous',
    body: '{"username":"\\ud800@example.com","password":"long-enough-password"}',
    status: 400,
    field: 'username',
  },
  {
    name: 'create team: a lone low surrogate in name',
    method: 'POST',
    path: '/teams',
    as: 'admin',
    body: '{"name":"team\\udc00"}',
    status: 400,
    field: 'name',
  },
  {
    name: 'job: a surrogate encoded in UTF-8 in :job_id',
    method: 'GET',
    path: '/jobs/%ED%A0%80',
    as: 'member',
    status: 400,
    field: 'path',
  },
  {
    name: 'job: malformed percent-encoding in :job_id',
    method: 'GET',
    path: '/jobs/%E0%A4%A',
    as: 'member',
    status: 400,
    field: 'path',
  },
  {
    name: 'cost explanation: malformed percent-encoding in :job_id',
    method: 'GET',
    path: '/jobs/%FF/cost/explain?day=2026-01-03',
    as: 'member',
    status: 400,
    field: 'path',
  },
  {
    name: 'jobs: malformed percent-encoding in a query',
    method: 'GET',
    path: '/jobs?start=%E0%A4%A',
    as: 'member',
    status: 400,
    field: 'start',
  },
  {
    name: 'jobs: RTL override in status',
    method: 'GET',
    path: `/jobs?status=${RTL}completed`,
    as: 'member',
    status: 400,
    field: 'status',
  },
  {
    name: 'jobs: RTL override in team_id',
    method: 'GET',
    path: `/jobs?team_id=${RTL}${UUID0}`,
    as: 'member',
    status: 400,
    field: 'team_id',
  },
  {
    name: 'cost: zero-width space in start',
    method: 'GET',
    path: `/analytics/cost?start=2026-01-01%E2%80%8B&end=2026-01-31`,
    as: 'member',
    status: 400,
    field: 'start',
  },
  {
    name: 'cost: full-width digits in start',
    method: 'GET',
    path: `/analytics/cost?start=${encodeURIComponent('２０２６-01-01')}&end=2026-01-31`,
    as: 'member',
    status: 400,
    field: 'start',
  },
  {
    name: 'login: a BOM before the JSON',
    method: 'POST',
    path: '/auth/login',
    as: 'anonymous',
    body: '\ufeff{"username":1}',
  },

  // --- Huge headers, bad content types.
  {
    name: 'jobs: a 64 kB header',
    method: 'GET',
    path: '/jobs',
    as: 'member',
    headers: { 'X-Filler': 'x'.repeat(64 * 1024) },
    status: 431,
  },
  {
    name: 'jobs: a 64 kB bearer token',
    method: 'GET',
    path: '/jobs',
    as: 'anonymous',
    headers: { Authorization: `Bearer ${'x'.repeat(64 * 1024)}` },
    status: 431,
  },
  {
    name: 'jobs: a 6 kB bearer token',
    method: 'GET',
    path: '/jobs',
    as: 'anonymous',
    headers: { Authorization: `Bearer ${'x'.repeat(6 * 1024)}` },
    status: 401,
  },
  {
    // Without a space the header is no bearer token; a pattern that backtracks over it took
    // 650 ms at 16,000 characters, holding every other request.
    name: 'jobs: a 15 kB Authorization header without a space',
    method: 'GET',
    path: '/jobs',
    as: 'anonymous',
    headers: { Authorization: 'x'.repeat(15 * 1024) },
    status: 401,
  },
  {
    name: 'users: a 6 kB API key',
    method: 'GET',
    path: '/admin/users',
    as: 'anonymous',
    headers: { 'X-API-Key': 'x'.repeat(6 * 1024) },
    status: 401,
  },
  {
    name: 'login: text/plain body',
    method: 'POST',
    path: '/auth/login',
    as: 'anonymous',
    body: JSON.stringify(GOOD_LOGIN),
    type: 'text/plain',
    status: 400,
  },
  {
    name: 'create team: application/xml body',
    method: 'POST',
    path: '/teams',
    as: 'admin',
    body: '<team><name>x</name></team>',
    type: 'application/xml',
    status: 400,
  },
  {
    name: 'create team: JSON in Latin-1',
    method: 'POST',
    path: '/teams',
    as: 'admin',
    body: Buffer.from('{"name":"café"}', 'latin1'),
    type: 'application/json; charset=latin1',
    status: 415,
  },
  {
    name: 'create team: gzip that is not',
    method: 'POST',
    path: '/teams',
    as: 'admin',
    body: 'not gzip',
    headers: { 'Content-Encoding': 'gzip' },
  },
  {
    name: 'create team: a form body labelled JSON',
    method: 'POST',
    path: '/teams',
    as: 'admin',
    body: 'name=x',
    status: 400,
  },
  { name: 'create team: an empty body', method: 'POST', path: '/teams', as: 'admin', body: '', status: 400 },
  {
    name: 'ingest jobs: text/html',
    method: 'POST',
    path: '/admin/ingest/jobs',
    as: 'api-key',
    body: '<p>jobs</p>',
    type: 'text/html',
    status: 415,
  },
  {
    name: 'ingest jobs: no content type',
    method: 'POST',
    path: '/admin/ingest/jobs',
    as: 'api-key',
    body: '{}',
    type: null,
    status: 415,
  },
  {
    name: 'ingest costs: a form body',
    method: 'POST',
    path: '/admin/ingest/costs',
    as: 'api-key',
    body: 'cost_snapshots=1',
    type: 'application/x-www-form-urlencoded',
    status: 415,
  },

  // --- Bad ids in paths, odd paths and methods.
  { name: 'team: not a uuid', method: 'GET', path: '/teams/not-a-uuid', as: 'admin', status: 404 },
  {
    name: 'change team: not a uuid',
    method: 'PATCH',
    path: '/teams/not-a-uuid',
    as: 'admin',
    body: { name: 'x' },
    status: 404,
  },
  {
    name: 'change user: not a uuid',
    method: 'PATCH',
    path: '/admin/users/not-a-uuid',
    as: 'api-key',
    body: { role: 'admin' },
    status: 400,
    field: 'id',
  },
  {
    name: 'delete user: a uuid with a trailing char',
    method: 'DELETE',
    path: `/admin/users/${UUID0}0`,
    as: 'api-key',
    status: 400,
    field: 'id',
  },
  {
    name: 'ingestion run: not a uuid',
    method: 'GET',
    path: '/admin/ingestions/1%20OR%201=1',
    as: 'api-key',
    status: 400,
  },
  {
    name: 'job: a 10,000-character job_id',
    method: 'GET',
    path: `/jobs/${'j'.repeat(10_000)}`,
    as: 'member',
    status: 404,
  },
  {
    name: 'job: an encoded path traversal',
    method: 'GET',
    path: '/jobs/..%2F..%2Fetc%2Fpasswd',
    as: 'member',
    status: 404,
  },
  { name: 'jobs: POST is not a route', method: 'POST', path: '/jobs', as: 'member', body: {}, status: 404 },
  { name: 'health: POST is not a route', method: 'POST', path: '/health', as: 'anonymous', body: {}, status: 404 },
  {
    name: 'jobs: an unknown parameter',
    method: 'GET',
    path: '/jobs?drop=table',
    as: 'member',
    status: 400,
    field: 'drop',
  },
  {
    name: 'me: an 8 MB body on a GET',
    method: 'GET',
    path: '/auth/me',
    as: 'member',
    body: nestedArrays(8 * MB),
    status: 413,
  },
  {
    name: 'me: a NUL in the bearer token',
    method: 'GET',
    path: '/auth/me',
    as: 'anonymous',
    headers: { Authorization: 'Bearer a%00b' },
    status: 401,
  },
  {
    name: 'me: a token signed with alg none',
    method: 'GET',
    path: '/auth/me',
    as: 'anonymous',
    headers: { Authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' },
    status: 401,
  },
  {
    name: 'coverage: an 8 MB body on a GET',
    method: 'GET',
    path: '/analytics/coverage',
    as: 'member',
    body: nestedArrays(8 * MB),
    status: 413,
  },
  {
    name: 'coverage: a token signed with alg none',
    method: 'GET',
    path: '/analytics/coverage',
    as: 'anonymous',
    headers: { Authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' },
    status: 401,
  },
  {
    name: 'jobs: a tampered bearer token',
    method: 'GET',
    path: '/jobs',
    as: 'anonymous',
    headers: { Authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' },
    status: 401,
  },
];

describe('Hostile requests: refused with a 4xx, fast, freezing nothing', () => {
  let t: TestApp;
  let port: number;
  let callers: Record<Caller, Record<string, string>>;
  const runs: { name: string; status: number; ms: number; healthMaxMs: number; attempts: number }[] = [];
  const idleHealthMs: number[] = [];
  /**
   * Every case's body as bytes, built before any case runs: building megabytes while a case is
   * timed would trigger garbage collection in this process (the app's too) and be measured as
   * /health latency. Buffers live outside the JS heap.
   */
  const bodies = new Map<HostileCase, Buffer | undefined>();

  beforeAll(async () => {
    // Login cases are about input, not the rate limit: let every attempt through.
    t = await createTestApp({ LOGIN_RATE_LIMIT: '100000' });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    const team = await createTeam(t.db);
    await createJob(t.db, team.id);
    callers = {
      anonymous: {},
      admin: { Authorization: (await adminAuth(t)).header },
      member: { Authorization: (await memberAuth(t, team.id)).header },
      'api-key': { 'X-API-Key': API_KEY },
    };
    for (const c of CASES) {
      const made: unknown = typeof c.body === 'function' ? (c.body as () => unknown)() : c.body;
      bodies.set(
        c,
        made === undefined
          ? undefined
          : Buffer.isBuffer(made)
            ? made
            : Buffer.from(typeof made === 'string' ? made : JSON.stringify(made)),
      );
    }
    for (let i = 0; i < 20; i++)
      idleHealthMs.push((await rawRequest(port, { method: 'GET', path: '/api/v1/health' })).ms);
  });
  afterAll(async () => {
    const slowest = [...runs].sort((a, b) => b.healthMaxMs - a.healthMaxMs).slice(0, 5);
    const idle = [...idleHealthMs].sort((a, b) => a - b);
    console.log(
      [
        `${runs.length} cases (${runs.filter((r) => r.attempts > 1).length} sent again after missing a time limit); ` +
          `/health idle: median ${idle[10]?.toFixed(1)} ms, max ${idle[19]?.toFixed(1)} ms`,
        'slowest /health while a case ran:',
        ...slowest.map(
          (r) =>
            `  ${r.healthMaxMs.toFixed(0)} ms: ${r.name} (answered ${r.status} in ${r.ms.toFixed(0)} ms, attempt ${r.attempts})`,
        ),
      ].join('\n'),
    );
    await t.close();
  });

  /** Sends the case while polling /health until it is answered; the answer and every poll's time. */
  async function runWithHealthPolls(c: HostileCase): Promise<{ res: RawResponse; health: number[] }> {
    const body = bodies.get(c);
    const type = c.type === undefined ? (body === undefined ? undefined : 'application/json') : c.type;
    const request: RawRequest = {
      method: c.method,
      path: `/api/v1${c.path}`,
      headers: { ...callers[c.as], ...(type ? { 'Content-Type': type } : {}), ...c.headers },
      body,
      chunked: c.chunked,
    };
    let answered = false;
    const answer = rawRequest(port, request).finally(() => (answered = true));
    const health: number[] = [];
    const poll = async () => {
      do {
        const res = await rawRequest(port, { method: 'GET', path: '/api/v1/health' });
        expect(res.status).toBe(200);
        health.push(res.ms);
        await new Promise((resolve) => setTimeout(resolve, 5));
      } while (!answered);
    };
    const [res] = await Promise.all([answer, poll()]);
    return { res, health };
  }

  it('has at least 100 cases, and some for every route that takes input', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(100);
    const express = t.app.getHttpAdapter().getInstance() as {
      router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
    };
    const routes = express.router.stack
      .filter((layer) => layer.route && Object.keys(layer.route.methods).length === 1)
      .map((layer) => ({ method: Object.keys(layer.route!.methods)[0].toUpperCase(), path: layer.route!.path }))
      // Health, metrics and the API documents take no input.
      .filter((r) => !/^\/(api\/v1\/health|metrics|api\/docs)/.test(r.path));
    const uncovered = routes.filter((route) => {
      const pattern = new RegExp(`^${route.path.replace(/:[A-Za-z_]+/g, '[^/]+')}$`);
      return !CASES.some((c) => c.method === route.method && pattern.test(`/api/v1${c.path.split('?')[0]}`));
    });
    expect(uncovered).toEqual([]);
    expect(routes.length).toBeGreaterThanOrEqual(20);
  });

  it.each([
    ['/analytics/cost/by-team?start=2000-01-01&end=2000-01-31'],
    ['/analytics/cost?start=2100-12-01&end=2100-12-31&group_by=week'],
    ['/analytics/cost/export?start=2100-12-31&end=2100-12-31'],
    ['/analytics/budgets?month=2000-01'],
    ['/analytics/budgets?month=2100-12'],
    ['/analytics/forecast?month=2000-01'],
    ['/analytics/forecast?month=2100-12'],
    ['/analytics/trends?start=2000-01-01&end=2000-12-31&group_by=model'],
    ['/jobs?start=2000-01-01&end=2100-12-31'],
    ['/jobs?skip=100000'],
  ])('answers the edge of each range, %s, with 200', async (path) => {
    const res = await rawRequest(port, { method: 'GET', path: `/api/v1${path}`, headers: callers.member });
    expect(res.status).toBe(200);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const inTime = (run: { res: RawResponse; health: number[] }) =>
      run.res.ms < ANSWER_MS && Math.max(...run.health) < HEALTH_MS;
    let run = await runWithHealthPolls(c);
    let attempts = 1;
    for (; attempts < ATTEMPTS && !inTime(run); attempts++) run = await runWithHealthPolls(c);
    const { res, health } = run;
    runs.push({ name: c.name, status: res.status, ms: res.ms, healthMaxMs: Math.max(...health), attempts });
    if (c.status !== undefined) expect(res.status).toBe(c.status);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    // Node itself answers a malformed request line or header (431, some 400s) without a body.
    if (res.body) expectErrorShape(res.body, res.status);
    if (c.field !== undefined) {
      expect(res.body?.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: c.field })]));
    }
    expect(res.ms).toBeLessThan(ANSWER_MS);
    expect(Math.max(...health)).toBeLessThan(HEALTH_MS);
  });
});
