import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { buildWeb } from '../web/build';
import { launchChromium } from '../bench/chromium';
import { readSessionEntry, screenshot, seriousAccessibilityViolations, writeSessionEntry } from './support/browser';
import { API_KEY, createLoginUser, jobPayload, postIngest, tokenFor, UserRow } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

/**
 * The dashboard in a real Chromium against the real app on the demo data: what a person signs in
 * to, sees and downloads, checked against the API's own answers. Every page visited is checked
 * with axe-core and photographed into test/screenshots/.
 */

// The demo's last cost snapshot is on 2026-01-14: the overview opens on the 30 days ending there.
const LAST_COST_DAY = '2026-01-14';
const DEFAULT_START = '2025-12-16';
const ADMIN = { email: 'finops-lead@example.com', password: 'dashboard-admin-1' };
const MEMBER = { email: 'researcher@example.com', password: 'dashboard-member-1' };
/** More jobs than a page holds, in a month the demo does not touch: the jobs page must page through them. */
const NOVEMBER_JOBS = 55;

/** Waits until the locator shows the text (the page updates after its calls answer). */
const shows = (locator: Locator, text: string) => locator.filter({ hasText: text }).first().waitFor();

/** A call of the overview that the browser is made to see fail, and the words the page must show for it. */
/** A row of /analytics/cost/by-team, /by-model or /analytics/cost as these tests read it. */
interface GroupRow {
  team_name?: string;
  model_name?: string;
  total_cost_usd?: number;
  cost_usd?: number;
  job_count: number;
}

type Failure = [path: string, status: number | 'network', words: string];

const cents = (text: string) => Math.round(Number(text.replace(/[^0-9.-]/g, '')) * 100);
const toCents = (usd: number) => Math.round(usd * 100);

describe('Dashboard in a browser', () => {
  let t: TestApp;
  let baseUrl: string;
  let browser: Browser;
  let dashboardDir: string | undefined;
  let admin: UserRow;
  let member: UserRow;
  let mlResearch: string;
  /** Uncaught script errors and Content-Security-Policy refusals, on any page of any test. */
  const pageProblems: string[] = [];
  /** Every URL the pages asked for: none may carry a token. */
  const requested: string[] = [];

  const api = (path: string, user: UserRow = admin) =>
    t.http
      .get(`/api/v1${path}`)
      .set('Authorization', `Bearer ${tokenFor(t, user)}`)
      .expect(200);

  beforeAll(async () => {
    // A build of its own: `npm start` in another suite rebuilds dist/ meanwhile.
    const dashboard = await buildWeb(mkdtempSync(path.join(tmpdir(), 'heliox-dashboard-')));
    dashboardDir = dashboard.outDir;
    t = await createTestApp({ DASHBOARD_DIR: dashboardDir });
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    await t.http.post('/api/v1/admin/ingest/jobs/mock').set('X-API-Key', API_KEY).expect(200);
    await t.http.post('/api/v1/admin/ingest/costs/mock').set('X-API-Key', API_KEY).expect(200);
    const november = Array.from({ length: NOVEMBER_JOBS }, (_, i) =>
      jobPayload({
        job_id: `nov-${String(i).padStart(2, '0')}`,
        team_name: 'ml-research',
        start_time: `2025-11-10T${String(i % 24).padStart(2, '0')}:00:00Z`,
        end_time: `2025-11-11T${String(i % 24).padStart(2, '0')}:00:00Z`,
      }),
    );
    await postIngest(t, 'jobs', 'application/json', { jobs: november }).expect(200);
    [{ id: mlResearch }] = await t.db.query(`SELECT id FROM teams WHERE name = 'ml-research'`);
    admin = await createLoginUser(t.db, ADMIN.password, { email: ADMIN.email, role: 'admin' });
    member = await createLoginUser(t.db, MEMBER.password, { email: MEMBER.email, team_id: mlResearch });
    const auth = `Bearer ${tokenFor(t, admin)}`;
    const channel = await t.http
      .post('/api/v1/alerts/channels')
      .set('Authorization', auth)
      .send({
        name: 'finops webhook',
        kind: 'webhook',
        url: 'http://127.0.0.1:9/heliox',
        secret: 'dashboard-secret-0123',
      })
      .expect(201);
    await t.http
      .post('/api/v1/alerts/rules')
      .set('Authorization', auth)
      .send({ name: 'Budgets at 80 and 100 %', kind: 'budget_actual', channel_id: channel.body.id })
      .expect(201);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
  });

  async function openPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    // Every wait is for a page on this machine: a quarter of a minute means it is not coming.
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageProblems.push(`script error: ${error.message}`));
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) pageProblems.push(message.text());
    });
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(`${baseUrl}/`);
    return { context, page };
  }

  async function signIn(page: Page, user: { email: string; password: string }): Promise<void> {
    await page.getByLabel('E-mail').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await chartDrawn(page);
  }

  /** Waits until the chart has drawn the data of the range (and, when given, of the grouping). */
  async function chartDrawn(page: Page, start = DEFAULT_START, end = LAST_COST_DAY, group?: string): Promise<void> {
    const range = `[data-chart-key*='"start":"${start}","end":"${end}"']`;
    await page.locator(`[data-chart-state=drawn]${range}${group ? `[data-chart-key$='}${group}']` : ''}`).waitFor();
  }

  async function checkPage(page: Page, name: string): Promise<void> {
    await screenshot(page, name);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  }

  async function legend(page: Page): Promise<Map<string, number>> {
    const items = page.locator('[data-testid=legend] li[data-series]');
    const entries = new Map<string, number>();
    for (const item of await items.all())
      entries.set((await item.getAttribute('data-series'))!, cents(await item.locator('.legend-value').innerText()));
    return entries;
  }

  async function shownTotals(page: Page) {
    const text = (id: string) => page.getByTestId(`total-${id}`).innerText();
    return {
      total: cents(await text('total')),
      allocated: cents(await text('allocated')),
      idle: cents(await text('idle')),
      gpuHours: Number((await text('gpu-hours')).replace(/[^0-9.]/g, '')),
      unpriced: Number((await text('unpriced')).replace(/[^0-9.]/g, '')),
    };
  }

  async function apiTotals(start: string, end: string, user: UserRow = admin) {
    const { totals } = (await api(`/analytics/cost?start=${start}&end=${end}&group_by=day,team`, user)).body;
    return {
      total: toCents(totals.total_usd),
      allocated: toCents(totals.allocated_usd),
      idle: toCents(totals.unallocated_usd),
      gpuHours: Math.round(totals.gpu_hours * 10) / 10,
      unpriced: Math.round(totals.unpriced_gpu_hours * 10) / 10,
    };
  }

  describe('as an admin', () => {
    let page: Page;

    beforeAll(async () => {
      ({ page } = await openPage());
    });

    it('asks to sign in first, on an accessible form', async () => {
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await checkPage(page, 'sign-in');
    });

    it('refuses a wrong password in words', async () => {
      await page.getByLabel('E-mail').fill(ADMIN.email);
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await shows(page.getByRole('alert'), 'Wrong e-mail or password.');
    });

    it('opens the overview on the 30 days that end on the last day with a cost snapshot', async () => {
      await signIn(page, ADMIN);
      await expect(page.getByLabel('From', { exact: true }).inputValue()).resolves.toBe(DEFAULT_START);
      await expect(page.getByLabel('To', { exact: true }).inputValue()).resolves.toBe(LAST_COST_DAY);
      await expect(page.getByRole('button', { name: 'Last 30 days' }).getAttribute('aria-pressed')).resolves.toBe(
        'true',
      );
      await expect(page.getByTestId('account').innerText()).resolves.toContain(ADMIN.email);
      await page.getByTestId('budgets').waitFor();
      await page.getByTestId('movers').waitFor();
      await checkPage(page, 'overview');
    });

    it("shows the range's totals as the API answers them, to the cent", async () => {
      expect(await shownTotals(page)).toEqual(await apiTotals(DEFAULT_START, LAST_COST_DAY));
    });

    it("shows each team's cost as the API answers it, to the cent", async () => {
      const byTeam = (await api(`/analytics/cost/by-team?start=${DEFAULT_START}&end=${LAST_COST_DAY}`)).body;
      expect(byTeam).toHaveLength(3);
      expect(await legend(page)).toEqual(
        new Map(byTeam.map((r: GroupRow) => [r.team_name, toCents(r.total_cost_usd!)])),
      );
    });

    it("shows each team's budget, spend and forecast of the range's month", async () => {
      const budgets = (await api('/analytics/budgets?month=2026-01')).body.teams;
      const rows = page.getByTestId('budgets').locator('tbody tr');
      await expect(rows.count()).resolves.toBe(budgets.length);
      for (const team of budgets) {
        const row = rows.filter({ has: page.getByRole('rowheader', { name: team.team_name, exact: true }) });
        const cells = await row.locator('td').allInnerTexts();
        expect(cents(cells[1])).toBe(toCents(team.spend_usd));
        expect(cents(cells[3])).toBe(toCents(team.forecast_usd));
        expect(cells[5]).toMatch(/On track|Warning|Over budget|No budget/);
      }
    });

    it('changes the chart and the numbers with the range', async () => {
      const before = await shownTotals(page);
      await page.getByRole('button', { name: 'Last 7 days' }).click();
      await chartDrawn(page, '2026-01-08', LAST_COST_DAY);
      const after = await shownTotals(page);
      expect(after).toEqual(await apiTotals('2026-01-08', LAST_COST_DAY));
      expect(after.total).toBeLessThan(before.total);
      await page.getByLabel('From', { exact: true }).fill('2026-01-01');
      await page.getByLabel('To', { exact: true }).fill('2026-01-05');
      await page.getByRole('button', { name: 'Show range' }).click();
      await chartDrawn(page, '2026-01-01', '2026-01-05');
      expect(await shownTotals(page)).toEqual(await apiTotals('2026-01-01', '2026-01-05'));
    });

    it('changes the chart and the numbers with the grouping', async () => {
      await page.getByRole('button', { name: 'Last 30 days' }).click();
      await chartDrawn(page);
      await page.getByRole('radio', { name: 'Model' }).check();
      await chartDrawn(page, DEFAULT_START, LAST_COST_DAY, 'model');
      const byModel = (await api(`/analytics/cost/by-model?start=${DEFAULT_START}&end=${LAST_COST_DAY}`)).body;
      const shown = byModel.slice(0, 7).map((r: GroupRow) => [r.model_name, toCents(r.total_cost_usd!)]);
      const rest = byModel.slice(7).reduce((sum: number, r: GroupRow) => sum + toCents(r.total_cost_usd!), 0);
      expect(await legend(page)).toEqual(new Map([...shown, [`Other (${byModel.length - 7} more)`, rest]]));
      await page.getByRole('radio', { name: 'Provider' }).check();
      await chartDrawn(page, DEFAULT_START, LAST_COST_DAY, 'provider');
      expect([...(await legend(page)).keys()]).toEqual(['aws']);
      await page.getByRole('radio', { name: 'Team' }).check();
      await chartDrawn(page, DEFAULT_START, LAST_COST_DAY, 'team');
    });

    it('downloads the CSV of the view and the FOCUS export of the range, with the token in no URL', async () => {
      const csv = await downloaded(page, 'CSV of this view');
      const expected = await t.http
        .get(`/api/v1/analytics/cost?start=${DEFAULT_START}&end=${LAST_COST_DAY}&group_by=day,team&format=csv`)
        .set('Authorization', `Bearer ${tokenFor(t, admin)}`)
        .expect(200);
      expect(csv.name).toBe(`heliox-cost-${DEFAULT_START}-${LAST_COST_DAY}.csv`);
      expect(csv.text).toBe(expected.text);
      const focus = await downloaded(page, 'FOCUS export of the range');
      expect(focus.name).toBe(`heliox-focus-${DEFAULT_START}-${LAST_COST_DAY}.csv`);
      expect(focus.text.split('\n')[0]).toContain('ChargePeriodStart');
      expect(focus.text.trim().split('\n').length).toBeGreaterThan(30);
      await shows(page.getByTestId('download-status'), 'Saved heliox-focus');
      const jwt = JSON.parse((await readSessionEntry(page))!).token as string;
      expect(requested.filter((url) => url.includes(jwt) || /token|bearer/i.test(url))).toEqual([]);
    });

    it('breaks the cost down by team and model, sorts, and filters the rest of the page by a click', async () => {
      await page.getByRole('link', { name: 'Breakdowns' }).click();
      const teams = page.getByTestId('teams-table');
      await teams.waitFor();
      const byTeam = (await api(`/analytics/cost?start=${DEFAULT_START}&end=${LAST_COST_DAY}&group_by=team`)).body.rows;
      const names = await teams.locator('tbody td[data-column=team]').allInnerTexts();
      expect(names).toEqual(byTeam.map((r: GroupRow) => r.team_name));
      await teams.getByRole('button', { name: 'Jobs' }).click();
      const jobCounts = await teams.locator('tbody td[data-column=jobs]').allInnerTexts();
      expect(jobCounts.map(Number)).toEqual(
        byTeam.map((r: GroupRow) => r.job_count).sort((a: number, b: number) => b - a),
      );
      await checkPage(page, 'breakdowns');

      await teams.getByRole('button', { name: 'ml-research' }).click();
      await page.getByRole('group', { name: 'Active filters' }).waitFor();
      const modelsOfTeam = (
        await api(`/analytics/cost?start=${DEFAULT_START}&end=${LAST_COST_DAY}&group_by=model&team_id=${mlResearch}`)
      ).body.rows;
      const models = page.getByTestId('models-table');
      await shows(models.locator('caption'), 'Models of the chosen team');
      const costs = await models.locator('tbody td[data-column=cost]').allInnerTexts();
      expect(costs.map(cents)).toEqual(modelsOfTeam.map((r: GroupRow) => toCents(r.cost_usd!)));
      await screenshot(page, 'breakdowns-filtered');

      // The filter holds on the overview: one team's cost, and no idle (it belongs to no team).
      await page.getByRole('link', { name: 'Overview' }).click();
      await chartDrawn(page);
      expect([...(await legend(page)).keys()]).toEqual(['ml-research']);
      await shows(page.getByTestId('total-idle'), '$0.00');
      await page.getByRole('button', { name: /Remove filter Team/ }).click();
      await page.getByRole('group', { name: 'Active filters' }).waitFor({ state: 'detached' });
    });

    it('lists jobs with the filters of /jobs, pages by cursor, and opens a job with its daily cost', async () => {
      await page.goto(`${baseUrl}/#/jobs?start=2025-11-01&end=2025-11-30`);
      const count = page.getByTestId('jobs-count');
      await shows(count, `Jobs 1–50 of ${NOVEMBER_JOBS}, newest first.`);
      await page.getByRole('button', { name: 'Next page' }).click();
      await shows(count, `Jobs 51–55 of ${NOVEMBER_JOBS}, newest first.`);
      await expect(page.getByTestId('jobs-table').locator('tbody tr').count()).resolves.toBe(5);
      await page.getByRole('button', { name: 'Previous page' }).click();
      await shows(count, `Jobs 1–50 of ${NOVEMBER_JOBS}, newest first.`);

      // A status chosen, then a date range: the range does not throw away the filter being edited.
      await page.getByLabel('Status').selectOption('failed');
      await page.getByRole('button', { name: 'Last 30 days' }).click();
      await page.getByRole('button', { name: 'Apply filters' }).click();
      const failed = (await api(`/jobs?start=${DEFAULT_START}&end=${LAST_COST_DAY}&status=failed`)).body;
      await shows(count, `Jobs 1–${failed.total} of ${failed.total}, newest first.`);
      const statuses = await page.getByTestId('jobs-table').locator('tbody tr td:nth-child(9)').allInnerTexts();
      expect(statuses).toEqual(failed.jobs.map(() => 'failed'));
      await checkPage(page, 'jobs');

      const jobId = failed.jobs[0].job_id as string;
      await page.getByRole('link', { name: jobId }).click();
      const days = page.getByTestId('job-days');
      await days.waitFor();
      const detail = (await api(`/jobs/${jobId}`)).body;
      const rows = await days.locator('tbody tr').all();
      expect(rows).toHaveLength(detail.daily_costs.length);
      for (const [i, day] of detail.daily_costs.entries()) {
        expect(await rows[i].locator('th').innerText()).toBe(day.date);
        expect(cents(await rows[i].locator('td').nth(1).innerText())).toBe(toCents(day.cost_usd));
      }
      await checkPage(page, 'job');
    });

    it('shows the ingestion runs and the alert rules to an admin', async () => {
      await page.getByRole('link', { name: 'Ingestion runs' }).click();
      const runs = page.getByTestId('ingestions-table');
      await runs.waitFor();
      await expect(runs.locator('tbody tr').count()).resolves.toBe(3);
      await checkPage(page, 'ingestion-runs');
      await page.getByRole('link', { name: 'Alerts' }).click();
      await page.getByTestId('rules-table').waitFor();
      await shows(page.getByTestId('rules-table'), 'Budgets at 80 and 100 %');
      await checkPage(page, 'alerts');
    });

    it('says in words what went wrong when a call fails, and keeps the rest of the page', async () => {
      // Budgets hold the forecast's interval, so the forecast fails on a load of its own.
      const loads: Failure[][] = [
        [
          ['budgets', 503, 'The service is unavailable right now'],
          ['trends', 429, 'Too many requests. Try again in 30 s.'],
          ['anomalies', 'network', 'Cannot reach the Heliox server'],
        ],
        [
          ['forecast', 500, 'The server failed to answer (error 500) (request id test-request)'],
          ['trends', 403, 'You do not have access to this: refused for the test'],
          ['anomalies', 404, 'Not found: refused for the test'],
        ],
        [
          ['budgets', 400, 'The request was not accepted: month must be a month written YYYY-MM'],
          ['trends', 413, 'The request is too large for the server'],
        ],
      ];
      await page.getByRole('link', { name: 'Overview' }).click();
      for (const failures of loads) {
        await failRoutes(page, failures);
        await page.reload();
        await chartDrawn(page);
        await expectAlerts(page, failures);
        await page.unrouteAll();
      }
      await screenshot(page, 'overview-errors');
    });

    it('goes back to sign-in, saying why, when the API refuses the session', async () => {
      const stored = JSON.parse((await readSessionEntry(page))!) as { token: string; expiresAt: number };
      // A token the API no longer accepts (as after a revocation): its signature no longer matches.
      await writeSessionEntry(page, JSON.stringify({ ...stored, token: `${stored.token}x` }));
      await page.reload();
      await shows(page.getByRole('status'), 'Your session has ended. Sign in again.');
      await expect(readSessionEntry(page)).resolves.toBeNull();
    });

    it('signs out', async () => {
      await signIn(page, ADMIN);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await shows(page.getByRole('status'), 'You have signed out.');
      await expect(readSessionEntry(page)).resolves.toBeNull();
    });
  });

  describe('as a member', () => {
    let page: Page;

    beforeAll(async () => {
      ({ page } = await openPage());
      await signIn(page, MEMBER);
    });

    it('sees its own team only, with the totals and cost the API gives it', async () => {
      const byTeam = (await api(`/analytics/cost/by-team?start=${DEFAULT_START}&end=${LAST_COST_DAY}`, member)).body;
      expect(byTeam.map((r: GroupRow) => r.team_name)).toEqual(['ml-research']);
      expect(await legend(page)).toEqual(new Map([['ml-research', toCents(byTeam[0].total_cost_usd)]]));
      expect(await shownTotals(page)).toEqual(await apiTotals(DEFAULT_START, LAST_COST_DAY, member));
      await expect(page.getByTestId('budgets').locator('tbody tr').count()).resolves.toBe(1);
      await expect(page.getByTestId('account').innerText()).resolves.toContain('member of ml-research');
      await checkPage(page, 'member-overview');
    });

    it('is offered no page or filter it cannot use', async () => {
      const nav = await page.getByRole('navigation', { name: 'Pages' }).getByRole('link').allInnerTexts();
      expect(nav).toEqual(['Overview', 'Breakdowns', 'Jobs']);
      await page.getByRole('link', { name: 'Breakdowns' }).click();
      await page.getByTestId('teams-table').waitFor();
      await expect(page.getByTestId('teams-table').locator('tbody tr').count()).resolves.toBe(1);
      await page.getByRole('link', { name: 'Jobs' }).click();
      await page.getByTestId('jobs-table').waitFor();
      await expect(page.getByLabel('Team').count()).resolves.toBe(0);
      const teams = await page.getByTestId('jobs-table').locator('tbody tr td:nth-child(2)').allInnerTexts();
      expect(new Set(teams)).toEqual(new Set(['ml-research']));
      await checkPage(page, 'member-jobs');
      await page.goto(`${baseUrl}/#/alerts`);
      await shows(page.getByRole('alert'), 'This page is for admins.');
    });
  });

  it('ran every page without a script error or a Content-Security-Policy refusal', () => {
    expect(pageProblems).toEqual([]);
  });

  async function downloaded(page: Page, button: string): Promise<{ name: string; text: string }> {
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: button }).click(),
    ]);
    return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
  }

  async function failRoutes(page: Page, failures: Failure[]): Promise<void> {
    for (const [path, status] of failures) {
      await page.route(`**/api/v1/analytics/${path}?*`, (route) =>
        status === 'network'
          ? route.abort('connectionrefused')
          : route.fulfill({
              status,
              contentType: 'application/json',
              headers: status === 429 ? { 'Retry-After': '30' } : {},
              body: JSON.stringify({
                statusCode: status,
                error: 'Error',
                message: status === 400 ? 'month must be a month written YYYY-MM' : 'refused for the test',
                request_id: 'test-request',
              }),
            }),
      );
    }
  }

  async function expectAlerts(page: Page, failures: Failure[]): Promise<void> {
    for (const [, , words] of failures) await shows(page.getByRole('alert'), words);
    // The rest of the page still shows its numbers.
    await expect(page.getByTestId('total-total').isVisible()).resolves.toBe(true);
  }
});
