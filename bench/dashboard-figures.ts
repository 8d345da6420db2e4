import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium';
import type { HelioxClient } from './heliox-client';
import { Check, Figure, formatMs, Target } from './report';
import { median, p95, SamplingPlan } from './stats';

/**
 * The dashboard's first view on the full dataset: a signed-in person opens `/` in a headless
 * Chromium with an empty cache, and the figure is the time from the navigation to the cost chart
 * drawn with its data (the page marks `heliox:chart-drawn` when it is). Beside it, the API calls
 * the page made: those the chart waited for, from the first request to the last answer, and the
 * slowest call of the page (the panels below the chart load on their own).
 */

export const DASHBOARD_LABEL =
  'dashboard overview in headless Chromium: navigation → cost chart drawn with its data (median, empty cache)';
export const DASHBOARD_TARGET: Target = { op: '≤', value: 1.5, unit: 's' };

interface ApiCall {
  path: string;
  startMs: number;
  endMs: number;
}

export interface OverviewLoad {
  drawnMs: number;
  calls: ApiCall[];
  range: { start: string; end: string };
  totalText: string;
}

/** What the page's script sees: the mark and the resource timings, relative to the navigation. */
interface PageTimings {
  drawn: number;
  calls: { name: string; start: number; end: number }[];
}

async function openOverview(browser: Browser, baseUrl: string, token: string): Promise<OverviewLoad> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    // Signed in as the page itself would be after the form: the session entry in sessionStorage.
    await context.addInitScript(
      (entry) =>
        (globalThis as unknown as { sessionStorage: { setItem(k: string, v: string): void } }).sessionStorage.setItem(
          'heliox.session',
          entry,
        ),
      JSON.stringify({ token, expiresAt: Date.now() + 3_600_000 }),
    );
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${baseUrl}/`);
    await page.locator('[data-chart-state=drawn]').waitFor();
    // Every panel's call has answered: the slowest call of the page is known.
    await page.waitForLoadState('networkidle');
    const timings = await page.evaluate((): PageTimings => {
      const { performance } = globalThis as unknown as {
        performance: {
          getEntriesByName(name: string): { startTime: number }[];
          getEntriesByType(type: string): { name: string; startTime: number; responseEnd: number }[];
        };
      };
      return {
        drawn: performance.getEntriesByName('heliox:chart-drawn')[0].startTime,
        calls: performance
          .getEntriesByType('resource')
          .filter((e) => e.name.includes('/api/v1/'))
          .map((e) => ({ name: e.name, start: e.startTime, end: e.responseEnd })),
      };
    });
    return {
      drawnMs: timings.drawn,
      calls: timings.calls.map((c) => ({ path: new URL(c.name).pathname, startMs: c.start, endMs: c.end })),
      range: {
        start: await page.getByLabel('From', { exact: true }).inputValue(),
        end: await page.getByLabel('To', { exact: true }).inputValue(),
      },
      totalText: await page.getByTestId('total-total').innerText(),
    };
  } finally {
    await context.close();
  }
}

const bearerOf = (client: HelioxClient) => client.authorization.Authorization.replace(/^Bearer /, '');

export async function measureDashboard(
  client: HelioxClient,
  sampling: SamplingPlan,
  log: (message: string) => void,
): Promise<{ figures: Figure[]; checks: Check[] }> {
  const browser = await launchChromium();
  try {
    const token = bearerOf(client);
    log('dashboard: a warm-up load of the overview');
    const first = await openOverview(browser, client.baseUrl, token);
    const loads: OverviewLoad[] = [];
    const began = performance.now();
    while (loads.length < sampling.samples) {
      loads.push(await openOverview(browser, client.baseUrl, token));
      if (loads.length >= sampling.minSamples && performance.now() - began > sampling.budgetMs) break;
    }
    const { range } = first;
    const { totals } = await client.get<{ totals: { total_usd: number } }>(
      `/api/v1/analytics/cost?start=${range.start}&end=${range.end}&group_by=day,team`,
    );
    const shownCents = Math.round(Number(first.totalText.replace(/[^0-9.-]/g, '')) * 100);
    const check: Check = {
      label: `dashboard overview total = GET /analytics/cost total, ${range.start} … ${range.end}`,
      ok: shownCents === Math.round(totals.total_usd * 100),
      detail: `page ${first.totalText}, API ${totals.total_usd}`,
    };
    return { figures: [dashboardFigure(loads)], checks: [check] };
  } finally {
    await browser.close();
  }
}

export function dashboardFigure(loads: OverviewLoad[]): Figure {
  const drawn = loads.map((l) => l.drawnMs);
  const beforeChart = loads.map((l) => l.calls.filter((c) => c.endMs <= l.drawnMs));
  const spans = beforeChart.map((calls) =>
    calls.length ? Math.max(...calls.map((c) => c.endMs)) - Math.min(...calls.map((c) => c.startMs)) : 0,
  );
  const waitedFor = [...new Set(beforeChart[0].map((c) => c.path.replace('/api/v1', '')))].join(', ');
  const slowest = slowestPath(loads);
  return {
    label: DASHBOARD_LABEL,
    heliox: `${formatMs(median(drawn))} median, ${formatMs(p95(drawn))} p95 (n=${loads.length})`,
    reference:
      `API calls the chart waited for (${waitedFor}): ${formatMs(median(spans))} median from the first request to ` +
      `the last answer; the page's slowest call: ${slowest.path} ${formatMs(slowest.ms)} median`,
    ratio: null,
    checked: median(drawn) / 1000,
    target: DASHBOARD_TARGET,
  };
}

/** The API path whose median duration over the loads is the longest. */
function slowestPath(loads: OverviewLoad[]): { path: string; ms: number } {
  const byPath = new Map<string, number[]>();
  for (const call of loads.flatMap((l) => l.calls)) {
    const path = call.path.replace('/api/v1', '');
    byPath.set(path, [...(byPath.get(path) ?? []), call.endMs - call.startMs]);
  }
  return [...byPath]
    .map(([path, ms]) => ({ path, ms: median(ms) }))
    .reduce((a, b) => (b.ms > a.ms ? b : a), { path: '—', ms: 0 });
}
