import { ConfigService } from '@nestjs/config';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import { createHmac } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AlertsEvaluator } from '../src/alerts/evaluation/alerts-evaluator';
import { TeamCellDays } from '../src/alerts/evaluation/team-cell-days';
import { dataSourceOptions } from '../src/database/data-source-options';
import { expectErrorShape, UUID } from './support/expectations';
import { adminAuth, createTeam, jobPayload, memberAuth, postIngest, TeamRow } from './support/factories';
import { whileRowLocked } from './support/row-locks';
import { createTestApp, TestApp } from './support/test-app';
import { dropSuiteDatabase } from './support/test-database';

const SECRET = 'test-secret-0123456789abcdef';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  status: number;
}

type Answer = (request: { eventId: string; nth: number }) => number;

/** A real HTTP receiver on loopback. Each path is a receiver of its own; `answers` picks a path's statuses (default 200). */
class Receiver {
  readonly received: Received[] = [];
  readonly answers = new Map<string, Answer>();
  private server!: Server;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const path = req.url ?? '/';
        const eventId = String(req.headers['x-heliox-event-id']);
        const nth = this.received.filter((r) => r.headers['x-heliox-event-id'] === eventId).length + 1;
        const status = this.answers.get(path)?.({ eventId, nth }) ?? 200;
        this.received.push({ path, headers: req.headers, body, status });
        res.writeHead(status, { 'Content-Type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Boots another instance of the app on the suite's database (a restarted or second API process). */
async function bootApp(): Promise<NestExpressApplication> {
  const { AppModule } = await import('../src/app.module');
  const { configureApp } = await import('../src/app.setup');
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, bufferLogs: true });
  configureApp(app);
  await app.init();
  return app;
}

describe('Alerts', () => {
  let t: TestApp;
  let admin: string;
  const receiver = new Receiver();
  /** The app the tests talk to (replaced by the restart test). */
  let current: NestExpressApplication;
  const extraApps: NestExpressApplication[] = [];

  beforeAll(async () => {
    await receiver.start();
    t = await createTestApp({
      ALERT_EVALUATION_POLL_SECONDS: '0.1',
      // Well above the gaps between a test's uploads, even on a busy machine; well below waitFor's 20 s.
      ALERT_EVALUATION_QUIET_SECONDS: '1',
      ALERT_DELIVERY_POLL_SECONDS: '0.1',
      ALERT_RETRY_BASE_SECONDS: '0.2',
      ALERT_EVALUATION_INTERVAL_SECONDS: '3600',
    });
    current = t.app;
    admin = (await adminAuth(t)).header;
  });

  afterAll(async () => {
    for (const app of extraApps) await app.close();
    if (current === t.app) await t.close();
    else {
      await current.close();
      await dropSuiteDatabase(new URL(t.databaseUrl).pathname.slice(1));
    }
    await receiver.stop();
  });

  const api = () => t.http;

  async function channel(path: string, over: Record<string, unknown> = {}): Promise<string> {
    const res = await api()
      .post('/api/v1/alerts/channels')
      .set('Authorization', admin)
      .send({ name: `receiver ${path}`, kind: 'webhook', url: receiver.url(path), secret: SECRET, ...over })
      .expect(201);
    return res.body.id as string;
  }

  async function rule(body: Record<string, unknown>): Promise<string> {
    const res = await api().post('/api/v1/alerts/rules').set('Authorization', admin).send(body).expect(201);
    return res.body.id as string;
  }

  /** A job of the team on the GPU type over the days, then one snapshot a day: all its cost is the team's. */
  async function spend(team: TeamRow, gpuType: string, costs: Record<string, number>): Promise<void> {
    for (const [day, cost] of Object.entries(costs)) {
      await postIngest(t, 'jobs', 'application/json', {
        jobs: [
          jobPayload({
            job_id: `${gpuType}-${day}`,
            team_name: team.name,
            gpu_type: gpuType,
            start_time: `${day}T01:00:00Z`,
            end_time: `${day}T05:00:00Z`,
          }),
        ],
      }).expect(200);
      await postIngest(t, 'costs', 'application/json', {
        cost_snapshots: [{ entry_date: day, provider: 'aws', gpu_type: gpuType, cost_usd: cost }],
      }).expect(200);
    }
  }

  /** The same in two uploads: a job a day of the team on the GPU type, then each day's snapshot. */
  async function spendDays(team: TeamRow, gpuType: string, costs: Record<string, number>): Promise<void> {
    const days = Object.keys(costs);
    await postIngest(t, 'jobs', 'application/json', {
      jobs: days.map((day) =>
        jobPayload({
          job_id: `${gpuType}-${day}`,
          team_name: team.name,
          gpu_type: gpuType,
          start_time: `${day}T01:00:00Z`,
          end_time: `${day}T05:00:00Z`,
        }),
      ),
    }).expect(200);
    await postIngest(t, 'costs', 'application/json', {
      cost_snapshots: days.map((day) => ({
        entry_date: day,
        provider: 'aws',
        gpu_type: gpuType,
        cost_usd: costs[day],
      })),
    }).expect(200);
  }

  async function events(ruleId: string): Promise<Record<string, unknown>[]> {
    const res = await api().get(`/api/v1/alerts/events?rule_id=${ruleId}`).set('Authorization', admin).expect(200);
    return res.body.events as Record<string, unknown>[];
  }

  async function deliveriesOf(eventId: string): Promise<Record<string, unknown>[]> {
    const res = await api()
      .get(`/api/v1/alerts/deliveries?event_id=${eventId}`)
      .set('Authorization', admin)
      .expect(200);
    return res.body.deliveries as Record<string, unknown>[];
  }

  const requestsFor = (eventId: string) => receiver.received.filter((r) => r.headers['x-heliox-event-id'] === eventId);

  describe('channels', () => {
    it('refuses link-local and cloud metadata receivers, by address or name, and URLs that are not http(s)', async () => {
      for (const url of [
        'http://169.254.169.254/latest/meta-data/',
        'http://169.254.10.1:8080/hook',
        'http://[fe80::1]/hook',
        'http://[::ffff:169.254.169.254]/',
        'http://[fd00:ec2::254]/',
        'http://2852039166/',
        'http://metadata.google.internal/computeMetadata/v1/',
        'http://METADATA.google.internal./',
        'ftp://127.0.0.1/hook',
        'file:///etc/passwd',
        'not a url',
      ]) {
        const res = await api()
          .post('/api/v1/alerts/channels')
          .set('Authorization', admin)
          .send({ name: 'bad', kind: 'webhook', url });
        expect({ url, status: res.status }).toEqual({ url, status: 400 });
        expectErrorShape(res.body, 400);
        expect(res.body.details).toEqual([expect.objectContaining({ field: 'url' })]);
      }
    });

    it('accepts loopback and private receivers, and never shows the secret', async () => {
      const ids = [];
      for (const url of [
        'http://127.0.0.1:9/hook',
        'http://10.1.2.3/hook',
        'https://192.168.1.10/hook',
        'http://localhost:9/',
      ]) {
        const res = await api()
          .post('/api/v1/alerts/channels')
          .set('Authorization', admin)
          .send({ name: 'ok', kind: 'slack', url, secret: SECRET })
          .expect(201);
        expect(res.body).toEqual(expect.objectContaining({ id: expect.stringMatching(UUID), url, has_secret: true }));
        expect(JSON.stringify(res.body)).not.toContain(SECRET);
        ids.push(res.body.id);
      }
      const list = await api().get('/api/v1/alerts/channels?limit=100').set('Authorization', admin).expect(200);
      expect(JSON.stringify(list.body)).not.toContain(SECRET);
      for (const id of ids) await api().delete(`/api/v1/alerts/channels/${id}`).set('Authorization', admin).expect(204);
    });

    it('refuses to delete a channel a rule sends to (409)', async () => {
      const id = await channel('/in-use');
      const ruleId = await rule({ name: 'uses it', kind: 'anomaly', channel_id: id });
      const res = await api().delete(`/api/v1/alerts/channels/${id}`).set('Authorization', admin).expect(409);
      expectErrorShape(res.body, 409);
      await api().delete(`/api/v1/alerts/rules/${ruleId}`).set('Authorization', admin).expect(204);
      await api().delete(`/api/v1/alerts/channels/${id}`).set('Authorization', admin).expect(204);
    });
  });

  describe('rules', () => {
    it('defaults budget thresholds to 50, 80, 100 and names the bad field', async () => {
      const channelId = await channel('/rules');
      const res = await api()
        .post('/api/v1/alerts/rules')
        .set('Authorization', admin)
        .send({ name: 'budgets', kind: 'budget_actual', channel_id: channelId })
        .expect(201);
      expect(res.body).toEqual(
        expect.objectContaining({ kind: 'budget_actual', thresholds_pct: [50, 80, 100], team_id: null, enabled: true }),
      );
      const patched = await api()
        .patch(`/api/v1/alerts/rules/${res.body.id}`)
        .set('Authorization', admin)
        .send({ thresholds_pct: [100, 90], enabled: false })
        .expect(200);
      expect(patched.body).toEqual(expect.objectContaining({ thresholds_pct: [90, 100], enabled: false }));
      await api().get(`/api/v1/alerts/rules/${res.body.id}`).set('Authorization', admin).expect(200);

      const bad = [
        [{ name: 'x', kind: 'budget', channel_id: channelId }, 'kind'],
        [{ name: 'x', kind: 'budget_actual', channel_id: channelId, thresholds_pct: [0] }, 'thresholds_pct'],
        [{ name: 'x', kind: 'anomaly', channel_id: channelId, thresholds_pct: [50] }, 'thresholds_pct'],
        [{ name: 'x', kind: 'budget_actual', channel_id: '5d1c9a3e-7b2f-4e8a-b1c4-9f0e2d3c4b5a' }, 'channel_id'],
        [
          { name: 'x', kind: 'budget_actual', channel_id: channelId, team_id: '5d1c9a3e-7b2f-4e8a-b1c4-9f0e2d3c4b5a' },
          'team_id',
        ],
      ] as const;
      for (const [body, field] of bad) {
        const r = await api().post('/api/v1/alerts/rules').set('Authorization', admin).send(body).expect(400);
        expect(JSON.stringify(r.body)).toContain(field);
      }
      await api()
        .patch(`/api/v1/alerts/rules/${res.body.id}`)
        .set('Authorization', admin)
        .send({ kind: 'anomaly' })
        .expect(400);
      await api().delete(`/api/v1/alerts/rules/${res.body.id}`).set('Authorization', admin).expect(204);
      await api().get(`/api/v1/alerts/rules/${res.body.id}`).set('Authorization', admin).expect(404);
    });

    it('applies two edits of a rule sent at once one after the other: a rename does not turn a disabled rule on', async () => {
      const ruleId = await rule({ name: 'edited-twice', kind: 'budget_actual', channel_id: await channel('/twice') });
      const edit = (body: object) => () =>
        api().patch(`/api/v1/alerts/rules/${ruleId}`).set('Authorization', admin).send(body);
      const answers = await whileRowLocked(t.db, 'alert_rules', ruleId, [
        edit({ enabled: false }),
        edit({ name: 'edited-twice-renamed' }),
      ]);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      const [row] = await t.db.query(`SELECT name, enabled FROM alert_rules WHERE id = $1`, [ruleId]);
      expect(row).toEqual({ name: 'edited-twice-renamed', enabled: false });
    });

    it('applies as many edits of one rule sent at once as the pool has connections, each checking its team', async () => {
      // Each edit waits on the rule's row holding a pool connection: the check of the team it
      // names must run on that connection, or the edit holding the lock waits for one the others hold.
      const ruleId = await rule({ name: 'edited-by-many', kind: 'budget_actual', channel_id: await channel('/many') });
      const team = await createTeam(t.db);
      const poolSize = Number(t.app.get(ConfigService).get('DB_POOL_SIZE'));
      const answers = await whileRowLocked(
        t.db,
        'alert_rules',
        ruleId,
        Array.from(
          { length: poolSize },
          (_, i) => () =>
            api()
              .patch(`/api/v1/alerts/rules/${ruleId}`)
              .set('Authorization', admin)
              .send({ team_id: team.id, name: `edited-by-many-${i}` }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(poolSize).fill(200));
    });

    it('lets members manage neither channels nor rules, nor see deliveries; they see their own team’s events only', async () => {
      const team = await createTeam(t.db);
      const other = await createTeam(t.db);
      const member = (await memberAuth(t, team.id)).header;
      const channelId = await channel('/members');
      const ruleId = await rule({ name: 'members', kind: 'budget_actual', channel_id: channelId });
      const refused: [string, string, object?][] = [
        ['post', '/api/v1/alerts/channels', { name: 'm', kind: 'webhook', url: receiver.url('/m') }],
        ['get', '/api/v1/alerts/channels'],
        ['delete', `/api/v1/alerts/channels/${channelId}`],
        ['post', '/api/v1/alerts/rules', { name: 'm', kind: 'budget_actual', channel_id: channelId }],
        ['get', '/api/v1/alerts/rules'],
        ['get', `/api/v1/alerts/rules/${ruleId}`],
        ['patch', `/api/v1/alerts/rules/${ruleId}`, { enabled: false }],
        ['delete', `/api/v1/alerts/rules/${ruleId}`],
        ['get', '/api/v1/alerts/deliveries'],
        ['get', `/api/v1/alerts/events?team_id=${other.id}`],
      ];
      for (const [method, path, body] of refused) {
        const res = await api()
          [method as 'post'](path)
          .set('Authorization', member)
          .send(body ?? {});
        expect({ method, path, status: res.status }).toEqual({ method, path, status: 403 });
      }
      const own = await api().get('/api/v1/alerts/events').set('Authorization', member).expect(200);
      expect((own.body.events as { team_id: string }[]).every((e) => e.team_id === team.id)).toBe(true);
      await api().delete(`/api/v1/alerts/rules/${ruleId}`).set('Authorization', admin).expect(204);
    });
  });

  describe('budget_actual', () => {
    it('fires 50, 80 and 100 % once each as a month crosses them, each delivered once, signed', async () => {
      const team = await createTeam(t.db, { budget_usd: 1000 });
      const channelId = await channel('/budget');
      const ruleId = await rule({
        name: 'Team budget',
        kind: 'budget_actual',
        team_id: team.id,
        channel_id: channelId,
      });

      await spend(team, 'alert-budget', { '2026-03-02': 600 });
      await waitFor('the 50 % event', async () => ((await events(ruleId)).length === 1 ? true : undefined));
      await spend(team, 'alert-budget', { '2026-03-03': 250 });
      await waitFor('the 80 % event', async () => ((await events(ruleId)).length === 2 ? true : undefined));
      await spend(team, 'alert-budget', { '2026-03-04': 200 });
      const fired = await waitFor('the 100 % event', async () => {
        const e = await events(ruleId);
        return e.length === 3 ? e : undefined;
      });

      expect(fired.map((e) => [e.threshold_pct, e.period, e.value_usd]).sort()).toEqual([
        [100, '2026-03', 1050],
        [50, '2026-03', 600],
        [80, '2026-03', 850],
      ]);
      const ids = fired.map((e) => e.id as string);
      await waitFor('three deliveries', () => (ids.every((id) => requestsFor(id).length === 1) ? true : undefined));
      for (const id of ids) {
        const [request] = requestsFor(id);
        const timestamp = String(request.headers['x-heliox-timestamp']);
        const expected = createHmac('sha256', SECRET).update(`${timestamp}.${request.body}`).digest('hex');
        expect(request.headers['x-heliox-signature']).toBe(`sha256=${expected}`);
        expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
        const body = JSON.parse(request.body);
        expect(body).toEqual({
          event_id: id,
          rule: { id: ruleId, name: 'Team budget' },
          kind: 'budget_actual',
          team: { id: team.id, name: team.name },
          period: '2026-03',
          threshold_pct: expect.any(Number),
          value_usd: expect.any(Number),
          budget_usd: 1000,
          message: expect.stringContaining(team.name),
        });
        const [delivery] = await deliveriesOf(id);
        expect(delivery).toEqual(
          expect.objectContaining({ status: 'delivered', attempts: 1, last_error: null, next_attempt_at: null }),
        );
      }

      // Evaluating the month again, or re-sending the same data, fires nothing new.
      expect(await current.get(AlertsEvaluator).evaluate(['2026-03-02', '2026-03-03', '2026-03-04'])).toBe(0);
      await spend(team, 'alert-budget', { '2026-03-04': 200 });
      await sleep(500);
      expect(await events(ruleId)).toHaveLength(3);
      expect(ids.flatMap(requestsFor)).toHaveLength(3);
    });

    it('fires nothing for a team below its thresholds, or for a disabled rule', async () => {
      const team = await createTeam(t.db, { budget_usd: 1000 });
      const channelId = await channel('/quiet');
      const ruleId = await rule({ name: 'quiet', kind: 'budget_actual', team_id: team.id, channel_id: channelId });
      const disabled = await rule({
        name: 'off',
        kind: 'budget_actual',
        team_id: team.id,
        channel_id: channelId,
        enabled: false,
      });
      await spend(team, 'alert-quiet', { '2026-04-02': 499.99 });
      await waitFor('the evaluation', async () =>
        (await t.db.query(`SELECT 1 FROM alert_pending_days`)).length === 0 ? true : undefined,
      );
      expect(await events(ruleId)).toEqual([]);
      expect(await events(disabled)).toEqual([]);
    });
  });

  describe('schedule', () => {
    const changedDays = async () => {
      const res = await api().get('/metrics').expect(200);
      const value = (series: string) =>
        Number(
          res.text
            .split('\n')
            .find((l) => l.startsWith(`alerts_evaluation_duration_seconds_${series}{trigger="changed_days"} `))
            ?.split(' ')[1] ?? 0,
        );
      return { count: value('count'), sum: value('sum') };
    };

    it('runs its three tasks in the scheduler registry, each under its name', () => {
      expect(current.get(SchedulerRegistry).getTimeouts().sort()).toEqual([
        'Alert delivery',
        'Evaluation of changed days',
        'Scheduled alert evaluation',
      ]);
    });

    it('times each evaluation of changed days on /metrics, and not the polls that find none', async () => {
      const team = await createTeam(t.db, { budget_usd: 1000 });
      await rule({ name: 'timed', kind: 'budget_actual', team_id: team.id, channel_id: await channel('/timed') });
      await waitFor('no changed day left', async () =>
        (await t.db.query(`SELECT 1 FROM alert_pending_days`)).length === 0 ? true : undefined,
      );
      await sleep(300);
      const before = await changedDays();
      await sleep(500); // five polls that find nothing
      expect(await changedDays()).toEqual(before);

      await spend(team, 'alert-timed', { '2026-10-05': 100 });
      const after = await waitFor('the evaluation, timed', async () => {
        const now = await changedDays();
        return now.count > before.count ? now : undefined;
      });
      expect(after.sum).toBeGreaterThan(before.sum);
    });

    // They share the day sums kept in memory: one re-summing trimmed the days another was reading.
    it('takes evaluations of one process in turns', async () => {
      const evaluator = current.get(AlertsEvaluator);
      const series = current.get(TeamCellDays);
      const resum = series.resum.bind(series);
      const steps: string[] = [];
      let second: Promise<number> | undefined;
      const spy = jest.spyOn(series, 'resum').mockImplementation(async (days) => {
        steps.push('start');
        // Another evaluation asked for while this one re-sums.
        second ??= evaluator.evaluate(['2026-10-21']);
        await resum(days);
        await sleep(100);
        steps.push('end');
      });
      try {
        await evaluator.evaluate(['2026-10-20']);
        await second;
      } finally {
        spy.mockRestore();
      }
      expect(steps.slice(0, 4)).toEqual(['start', 'end', 'start', 'end']);
    });

    it('evaluates a burst of uploads once, after the last (ALERT_EVALUATION_QUIET_SECONDS), not at every look', async () => {
      const team = await createTeam(t.db, { budget_usd: 1000 });
      await rule({ name: 'burst', kind: 'budget_actual', team_id: team.id, channel_id: await channel('/burst') });
      await waitFor('no changed day left', async () =>
        (await t.db.query(`SELECT 1 FROM alert_pending_days`)).length === 0 ? true : undefined,
      );
      await sleep(300);
      const before = await changedDays();

      // Eight uploads 150 ms apart: the evaluation looks for marks every 100 ms in between.
      for (const day of ['2026-10-12', '2026-10-13', '2026-10-14', '2026-10-15']) {
        await spend(team, 'alert-burst', { [day]: 100 });
        await sleep(150);
      }
      await waitFor('the evaluation', async () => ((await changedDays()).count > before.count ? true : undefined));
      await sleep(1_500); // past another quiet period: a second evaluation would have run by now
      expect((await changedDays()).count).toBe(before.count + 1);
      expect(await t.db.query(`SELECT 1 FROM alert_pending_days`)).toEqual([]);
    });
  });

  describe('budget_forecast', () => {
    it("fires the thresholds the current month's run-rate forecast reaches, with the forecast as the value", async () => {
      const team = await createTeam(t.db, { budget_usd: 1000 });
      const channelId = await channel('/forecast');
      const ruleId = await rule({ name: 'Forecast', kind: 'budget_forecast', team_id: team.id, channel_id: channelId });
      const month = new Date().toISOString().slice(0, 7);
      const days = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate();
      // $30 on the month's first day, the only day with data: a run-rate of $30 × 28-31 days, 84-93 % of the budget.
      await spend(team, 'alert-forecast', { [`${month}-01`]: 30 });
      const fired = await waitFor('the forecast events', async () => {
        const e = await events(ruleId);
        return e.length === 2 ? e : undefined;
      });
      expect(fired.map((e) => [e.kind, e.period, e.threshold_pct, e.value_usd]).sort()).toEqual([
        ['budget_forecast', month, 50, 30 * days],
        ['budget_forecast', month, 80, 30 * days],
      ]);
      await sleep(300);
      expect(await events(ruleId)).toHaveLength(2);
      expect(fired[0].message).toMatch(/is forecast to spend/);
    });
  });

  describe('anomaly', () => {
    it('fires once for a planted spike of a team on a provider and GPU type, and nothing for a flat history', async () => {
      const spiky = await createTeam(t.db);
      const flat = await createTeam(t.db);
      const channelId = await channel('/anomaly');
      const ruleId = await rule({ name: 'Spikes', kind: 'anomaly', channel_id: channelId });
      const history = (last: number) =>
        Object.fromEntries(
          Array.from({ length: 21 }, (_, i) => [`2026-09-${String(i + 1).padStart(2, '0')}`, i === 20 ? last : 100]),
        );
      await spendDays(spiky, 'alert-spike', history(1000));
      await spendDays(flat, 'alert-flat', history(100));
      const [event] = await waitFor('the anomaly', async () => {
        const e = await events(ruleId);
        return e.length ? e : undefined;
      });
      await waitFor('the evaluation', async () =>
        (await t.db.query(`SELECT 1 FROM alert_pending_days`)).length === 0 ? true : undefined,
      );
      expect(await events(ruleId)).toHaveLength(1);
      expect(event).toEqual(
        expect.objectContaining({
          kind: 'anomaly',
          team_id: spiky.id,
          period: '2026-09-21',
          provider: 'aws',
          gpu_type: 'alert-spike',
          value_usd: 1000,
          expected_usd: 100,
          threshold_pct: null,
        }),
      );
      await waitFor('its delivery', () => (requestsFor(event.id as string).length === 1 ? true : undefined));
      const body = JSON.parse(requestsFor(event.id as string)[0].body);
      expect(body).toEqual(
        expect.objectContaining({ kind: 'anomaly', period: '2026-09-21', provider: 'aws', gpu_type: 'alert-spike' }),
      );
      expect(await current.get(AlertsEvaluator).evaluate(['2026-09-21'])).toBe(0);
      await api().delete(`/api/v1/alerts/rules/${ruleId}`).set('Authorization', admin).expect(204);
    });

    it('judges a day again from its new cost when a later upload changes it (a corrected bill)', async () => {
      const team = await createTeam(t.db);
      const channelId = await channel('/anomaly-corrected');
      const ruleId = await rule({ name: 'Corrected spikes', kind: 'anomaly', channel_id: channelId });
      const days = Array.from({ length: 21 }, (_, i) => `2026-10-${String(i + 1).padStart(2, '0')}`);
      await spendDays(team, 'alert-corrected', Object.fromEntries(days.map((day) => [day, 100])));
      const evaluated = () =>
        waitFor('the evaluation', async () =>
          (await t.db.query(`SELECT 1 FROM alert_pending_days`)).length === 0 ? true : undefined,
        );
      await evaluated();
      expect(await events(ruleId)).toEqual([]);

      await spendDays(team, 'alert-corrected', { '2026-10-21': 1000 });
      const [event] = await waitFor('the anomaly of the corrected day', async () => {
        const e = await events(ruleId);
        return e.length ? e : undefined;
      });
      expect(event).toEqual(expect.objectContaining({ team_id: team.id, period: '2026-10-21', value_usd: 1000 }));
      await api().delete(`/api/v1/alerts/rules/${ruleId}`).set('Authorization', admin).expect(204);
    });

    it('reads again the series of a day another API process re-summed since this one read it', async () => {
      // The other process's series: a cache of its own, over a connection of its own.
      const otherDb = await new DataSource(dataSourceOptions(t.databaseUrl, { DB_POOL_SIZE: 1 })).initialize();
      try {
        const team = await createTeam(t.db);
        await spendDays(team, 'alert-series', { '2026-11-02': 100, '2026-11-03': 100 });
        await waitFor('the evaluation', async () =>
          (await t.db.query(`SELECT 1 FROM alert_pending_days`)).length === 0 ? true : undefined,
        );
        const costsOf = async (series: TeamCellDays) =>
          (await series.series('2026-11-02', '2026-11-03', team.id)).map((s) => s.costs);
        expect(await costsOf(current.get(TeamCellDays))).toEqual([[100, 100]]);

        // The bill of the 3rd is corrected and the other process re-sums the day, as its evaluation
        // would, while this one's waits for the quiet period.
        await spendDays(team, 'alert-series', { '2026-11-03': 40 });
        await new TeamCellDays(otherDb).resum(['2026-11-03']);
        expect(await costsOf(current.get(TeamCellDays))).toEqual([[100, 40]]);
      } finally {
        await otherDb.destroy();
      }
    });

    it('keeps no series for a day with usage but no bill yet, and judges it once its bill comes', async () => {
      const team = await createTeam(t.db);
      await spendDays(team, 'alert-unbilled', { '2026-11-09': 100 });
      await postIngest(t, 'jobs', 'application/json', {
        jobs: [
          jobPayload({
            job_id: 'alert-unbilled-2026-11-10',
            team_name: team.name,
            gpu_type: 'alert-unbilled',
            start_time: '2026-11-10T01:00:00Z',
            end_time: '2026-11-10T05:00:00Z',
          }),
        ],
      }).expect(200);
      const series = current.get(TeamCellDays);
      const seriesOfTeam = async () =>
        (await series.series('2026-11-09', '2026-11-10', team.id)).map((s) => ({ offsets: s.offsets, costs: s.costs }));
      const versionOf10th = async () =>
        (await t.db.query(`SELECT version::text AS v FROM alert_series_days WHERE day = '2026-11-10'`))[0]?.v;

      await series.resum(['2026-11-09', '2026-11-10']);
      expect(await seriesOfTeam()).toEqual([{ offsets: [0], costs: [100] }]);
      const unbilled = await versionOf10th();
      expect(unbilled).toBeDefined();

      await postIngest(t, 'costs', 'application/json', {
        cost_snapshots: [{ entry_date: '2026-11-10', provider: 'aws', gpu_type: 'alert-unbilled', cost_usd: 60 }],
      }).expect(200);
      await series.resum(['2026-11-10']);
      expect(await versionOf10th()).not.toBe(unbilled);
      expect(await seriesOfTeam()).toEqual([{ offsets: [0, 1], costs: [100, 60] }]);
    });
  });

  describe('delivery', () => {
    it('retries a failing receiver with the same event id until it answers 2xx: four requests, then delivered', async () => {
      const team = await createTeam(t.db, { budget_usd: 100 });
      const channelId = await channel('/flaky');
      const ruleId = await rule({
        name: 'flaky',
        kind: 'budget_actual',
        team_id: team.id,
        channel_id: channelId,
        thresholds_pct: [100],
      });
      receiver.answers.set('/flaky', ({ nth }) => (nth <= 3 ? 503 : 200));
      await spend(team, 'alert-flaky', { '2026-05-02': 150 });
      const [event] = await waitFor('the event', async () => {
        const e = await events(ruleId);
        return e.length ? e : undefined;
      });
      const id = event.id as string;
      const [delivery] = await waitFor('delivered', async () => {
        const d = await deliveriesOf(id);
        return d[0]?.status === 'delivered' ? d : undefined;
      });
      expect(requestsFor(id).map((r) => r.status)).toEqual([503, 503, 503, 200]);
      expect(new Set(requestsFor(id).map((r) => JSON.parse(r.body).event_id))).toEqual(new Set([id]));
      expect(delivery).toEqual(expect.objectContaining({ status: 'delivered', attempts: 4, last_error: null }));
    });

    it('gives up after ALERT_MAX_ATTEMPTS and says why (dead)', async () => {
      const team = await createTeam(t.db, { budget_usd: 100 });
      // Port 9 (discard) on loopback: nothing listens, every attempt is refused at once.
      const res = await api()
        .post('/api/v1/alerts/channels')
        .set('Authorization', admin)
        .send({ name: 'nobody', kind: 'webhook', url: 'http://127.0.0.1:9/hook' })
        .expect(201);
      const ruleId = await rule({
        name: 'dead',
        kind: 'budget_actual',
        team_id: team.id,
        channel_id: res.body.id,
        thresholds_pct: [100],
      });
      await spend(team, 'alert-dead', { '2026-06-02': 150 });
      const [event] = await waitFor('the event', async () => {
        const e = await events(ruleId);
        return e.length ? e : undefined;
      });
      // Skip the long waits: the delivery has used all but one attempt when this test looks.
      await t.db.query(
        `UPDATE alert_deliveries SET attempts = 7, next_attempt_at = now() WHERE event_id = $1 AND status = 'pending'`,
        [event.id],
      );
      const [delivery] = await waitFor('dead', async () => {
        const d = await deliveriesOf(event.id as string);
        return d[0]?.status === 'dead' ? d : undefined;
      });
      expect(delivery).toEqual(
        expect.objectContaining({
          status: 'dead',
          attempts: 8,
          next_attempt_at: null,
          last_error: expect.stringContaining('ECONNREFUSED'),
        }),
      );
    });

    it('two API processes fire each event once and send each delivery once', async () => {
      extraApps.push(await bootApp());
      const team = await createTeam(t.db, { budget_usd: 1000 });
      const channelId = await channel('/two');
      const ruleId = await rule({ name: 'two', kind: 'budget_actual', team_id: team.id, channel_id: channelId });
      await spend(team, 'alert-two', { '2026-07-02': 1200 });
      const fired = await waitFor('three events', async () => {
        const e = await events(ruleId);
        return e.length === 3 ? e : undefined;
      });
      const ids = fired.map((e) => e.id as string);
      await waitFor('three deliveries', () => (ids.every((id) => requestsFor(id).length >= 1) ? true : undefined));
      // Both processes evaluate and poll again meanwhile.
      await Promise.all([
        current.get(AlertsEvaluator).evaluate(['2026-07-02']),
        extraApps[0].get(AlertsEvaluator).evaluate(['2026-07-02']),
      ]);
      await sleep(600);
      expect(await events(ruleId)).toHaveLength(3);
      expect(ids.map((id) => requestsFor(id).length)).toEqual([1, 1, 1]);
      await extraApps.pop()!.close();
    });

    it('a restart between retries loses nothing: the next process delivers the same event', async () => {
      const team = await createTeam(t.db, { budget_usd: 100 });
      const channelId = await channel('/restart');
      const ruleId = await rule({
        name: 'restart',
        kind: 'budget_actual',
        team_id: team.id,
        channel_id: channelId,
        thresholds_pct: [100],
      });
      let up = false;
      receiver.answers.set('/restart', () => (up ? 200 : 500));
      await spend(team, 'alert-restart', { '2026-08-02': 150 });
      const [event] = await waitFor('the event', async () => {
        const e = await events(ruleId);
        return e.length ? e : undefined;
      });
      const id = event.id as string;
      await waitFor('a failed attempt', () => (requestsFor(id).length >= 1 ? true : undefined));
      await t.app.close();
      const failedBefore = requestsFor(id).length;
      up = true;
      current = await bootApp();
      t.http = request(current.getHttpServer());
      const delivery = await waitFor('delivered after the restart', async () => {
        const res = await api().get(`/api/v1/alerts/deliveries?event_id=${id}`).set('Authorization', admin);
        const d = res.body.deliveries?.[0];
        return d?.status === 'delivered' ? d : undefined;
      });
      expect(requestsFor(id).length).toBe(failedBefore + 1);
      expect(requestsFor(id).map((r) => r.status)).toEqual([...Array(failedBefore).fill(500), 200]);
      expect(delivery.attempts).toBe(failedBefore + 1);
      await sleep(500);
      expect(requestsFor(id).length).toBe(failedBefore + 1);
    });
  });
});
