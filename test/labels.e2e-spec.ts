import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { AllocationService } from '../src/allocation/allocation.service';
import { allocationState } from './support/allocation-state';
import { adminAuth, createTeam, jobPayload, memberAuth, postIngest, TeamRow, toNdjson } from './support/factories';
import { expectErrorShape } from './support/expectations';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Labels and utilization through the API. On 2026-01-03 aws/h100 billed $900 for 120 GPU-hours
 * ($7.50 a GPU-hour): vision's job A (80 GPU-hours, project atlas, experiment e1, utilization
 * 0.5) costs $600, nlp's job B (24, project borealis, no utilization) $180, nlp's job C (16,
 * experiment e2 only, utilization 0.25) $120. A arrives as JSON, B as NDJSON, C as CSV.
 */
describe('Labels and utilization', () => {
  let t: TestApp;
  let admin: string;
  let vision: TeamRow;
  let nlp: TeamRow;
  const range = 'start=2026-01-03&end=2026-01-03';
  const h100 = { provider: 'aws', gpu_type: 'h100', start_time: '2026-01-03T00:00:00Z', status: 'completed' };
  const jobA = {
    ...h100,
    job_id: 'label-A',
    team_name: 'vision',
    model_name: 'llama',
    gpu_count: 8,
    end_time: '2026-01-03T10:00:00Z',
    labels: { project: 'atlas', experiment: 'e1' },
    gpu_utilization: 0.5,
  };
  const jobB = {
    ...h100,
    job_id: 'label-B',
    team_name: 'nlp',
    model_name: 'bert',
    gpu_count: 4,
    end_time: '2026-01-03T06:00:00Z',
    labels: { project: 'borealis' },
  };
  const jobC = {
    ...h100,
    job_id: 'label-C',
    team_name: 'nlp',
    model_name: 'bert',
    gpu_count: 2,
    end_time: '2026-01-03T08:00:00Z',
    labels: 'experiment=e2',
    gpu_utilization: '0.25',
  };
  const csvOf = (records: Record<string, unknown>[]) =>
    stringify(records, { header: true, columns: Object.keys(records[0]) });

  const get = async (path: string, as = admin) =>
    (await t.http.get(`/api/v1${path}`).set('Authorization', as).expect(200)).body;

  beforeAll(async () => {
    t = await createTestApp();
    vision = await createTeam(t.db, { name: 'vision' });
    nlp = await createTeam(t.db, { name: 'nlp' });
    admin = (await adminAuth(t)).header;
    await postIngest(t, 'jobs', 'application/json', { jobs: [jobA] }).expect(200);
    await postIngest(t, 'jobs', 'application/x-ndjson', toNdjson([jobB])).expect(200);
    await postIngest(t, 'jobs', 'text/csv', csvOf([jobC])).expect(200);
    await postIngest(t, 'costs', 'application/json', {
      cost_snapshots: [{ entry_date: '2026-01-03', provider: 'aws', gpu_type: 'h100', cost_usd: 900 }],
    }).expect(200);
  });
  afterAll(() => t.close());

  describe('ingestion', () => {
    it('keeps labels and utilization from JSON, NDJSON and CSV', async () => {
      const { jobs } = await get('/jobs?sort=start_time&limit=10');
      const byId = Object.fromEntries(jobs.map((j: { job_id: string }) => [j.job_id, j]));
      expect(byId['label-A']).toMatchObject({ labels: { project: 'atlas', experiment: 'e1' }, gpu_utilization: 0.5 });
      expect(byId['label-B']).toMatchObject({ labels: { project: 'borealis' }, gpu_utilization: null });
      expect(byId['label-C']).toMatchObject({ labels: { experiment: 'e2' }, gpu_utilization: 0.25 });
    });

    it('counts a re-sent job as unchanged, and a changed label or utilization as an update', async () => {
      const again = await postIngest(t, 'jobs', 'application/json', { jobs: [jobA] }).expect(200);
      expect(again.body.result.jobs).toMatchObject({ unchanged: 1, updated: 0 });
      const reordered = { ...jobA, labels: { experiment: 'e1', project: 'atlas' } };
      const same = await postIngest(t, 'jobs', 'application/x-ndjson', toNdjson([reordered])).expect(200);
      expect(same.body.result.jobs).toMatchObject({ unchanged: 1 });
      // Another month: the reports below do not see it.
      const job = jobPayload({
        job_id: 'label-edit',
        labels: { project: 'atlas' },
        start_time: '2026-02-03T08:00:00Z',
        end_time: '2026-02-03T12:00:00Z',
      });
      await postIngest(t, 'jobs', 'application/json', { jobs: [job] }).expect(200);
      for (const change of [{ labels: { project: 'comet' } }, { gpu_utilization: 0.9 }, { labels: {} }]) {
        const res = await postIngest(t, 'jobs', 'application/json', { jobs: [{ ...job, ...change }] }).expect(200);
        expect(res.body.result.jobs).toMatchObject({ updated: 1 });
      }
      const { jobs } = await get('/jobs?label.project=comet');
      expect(jobs).toEqual([]);
    });

    it.each([
      ['JSON', 'application/json', (r: object) => ({ jobs: [r] })],
      ['NDJSON', 'application/x-ndjson', (r: object) => toNdjson([r])],
      ['CSV', 'text/csv', (r: Record<string, unknown>) => csvOf([r])],
    ])('refuses bad labels in %s as record errors naming the key', async (_format, type, body) => {
      const cases: [unknown, string, RegExp][] = [
        ['project=a;project=b', 'labels.project', /given twice/],
        ['Project=a', 'labels', /label key "Project" is not valid/],
        [`project=${'x'.repeat(257)}`, 'labels.project', /at most 256 characters/],
        ['project=', 'labels.project', /must not be empty/],
        ['project', 'labels', /not a key=value pair/],
        [Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(';'), 'labels', /at most 32 labels/],
      ];
      for (const [labels, field, message] of cases) {
        const record = jobPayload({ labels });
        // No record could be ingested: a 400 with the record's errors.
        const res = await postIngest(t, 'jobs', type, body(record) as object).expect(400);
        expect(res.body.details).toEqual([
          { index: 0, job_id: record.job_id, field, message: expect.stringMatching(message) },
        ]);
      }
      const utilization = jobPayload({ gpu_utilization: 1.5 });
      const res = await postIngest(t, 'jobs', type, body(utilization) as object).expect(400);
      expect(res.body.details).toEqual([
        expect.objectContaining({ field: 'gpu_utilization', message: 'gpu_utilization must be at most 1' }),
      ]);
    });

    it('refuses a JSON label value that is not a string, naming the key', async () => {
      const record = jobPayload({ labels: { project: 7 } });
      const res = await postIngest(t, 'jobs', 'application/json', { jobs: [record] }).expect(400);
      expect(res.body.details).toEqual([
        expect.objectContaining({ field: 'labels.project', message: 'label project must be a string' }),
      ]);
    });
  });

  describe('GET /jobs', () => {
    it('filters by label.<key>=<value>, every filter matching', async () => {
      const ids = async (query: string) =>
        (await get(`/jobs?${query}`)).jobs.map((j: { job_id: string }) => j.job_id).sort();
      expect(await ids('label.project=atlas')).toEqual(['label-A']);
      expect(await ids('label.experiment=e2')).toEqual(['label-C']);
      expect(await ids('label.project=atlas&label.experiment=e1')).toEqual(['label-A']);
      expect(await ids('label.project=atlas&label.experiment=e2')).toEqual([]);
      expect(await ids(`label.project=atlas&team_id=${nlp.id}`)).toEqual([]);
      expect(await ids(`label.project=atlas&team_id=${vision.id}`)).toEqual(['label-A']);
    });

    it('trims a filter value as ingestion trims the values it stores', async () => {
      const { jobs } = await get('/jobs?label.project=%20atlas%20');
      expect(jobs.map((j: { job_id: string }) => j.job_id)).toEqual(['label-A']);
    });

    it.each([
      ['label.Project=atlas', /label\.Project: label key "Project" is not valid/],
      ['label.project=a&label.project=b', /label\.project is given more than once/],
      [`label.project=${'x'.repeat(257)}`, /label\.project must be at most 256 characters/],
      ['label.project=', /label\.project must not be empty/],
      ['labels=project', /label filters are written label\.<key>=<value>/],
      ['labels=project&label.project=atlas', /label filters are written label\.<key>=<value>/],
    ])('answers 400 for %s', async (query, message) => {
      for (const path of ['/jobs', `/analytics/cost?${range}`]) {
        const res = await t.http
          .get(`/api/v1${path}${path.includes('?') ? '&' : '?'}${query}`)
          .set('Authorization', admin)
          .expect(400);
        expectErrorShape(res.body, 400);
        expect(res.body.message).toMatch(message);
      }
    });
  });

  describe('reports', () => {
    const rowsOf = (rows: Record<string, unknown>[], key: string) => rows.map((r) => [r[key], r.cost_usd, r.job_count]);

    it('groups by a label, "(none)" for jobs without it', async () => {
      const { rows, totals } = await get(`/analytics/cost?${range}&group_by=label:project`);
      expect(rowsOf(rows, 'label:project')).toEqual([
        ['atlas', 600, 1],
        ['borealis', 180, 1],
        ['(none)', 120, 1],
      ]);
      expect(totals).toMatchObject({ allocated_usd: 900, unallocated_usd: 0, total_usd: 900 });
      const experiments = await get(`/analytics/cost?${range}&group_by=label:experiment`);
      expect(rowsOf(experiments.rows, 'label:experiment')).toEqual([
        ['e1', 600, 1],
        ['(none)', 180, 1],
        ['e2', 120, 1],
      ]);
    });

    it('combines a label with team, time and other dimensions (read from job-days)', async () => {
      const byTeam = await get(`/analytics/cost?${range}&group_by=team,label:project`);
      expect(byTeam.rows.map((r: Record<string, unknown>) => [r.team_name, r['label:project'], r.cost_usd])).toEqual([
        ['vision', 'atlas', 600],
        ['nlp', 'borealis', 180],
        ['nlp', '(none)', 120],
      ]);
      const byDay = await get(`/analytics/cost?${range}&group_by=day,label:project`);
      expect(byDay.rows.map((r: Record<string, unknown>) => [r.day, r['label:project'], r.cost_usd])).toEqual([
        ['2026-01-03', 'atlas', 600],
        ['2026-01-03', 'borealis', 180],
        ['2026-01-03', '(none)', 120],
      ]);
      const twoKeys = await get(`/analytics/cost?${range}&group_by=label:project,label:experiment,model`);
      expect(
        twoKeys.rows.map((r: Record<string, unknown>) => [r['label:project'], r['label:experiment'], r.model_name]),
      ).toEqual([
        ['atlas', 'e1', 'llama'],
        ['borealis', '(none)', 'bert'],
        ['(none)', 'e2', 'bert'],
      ]);
      const csv = await t.http
        .get(`/api/v1/analytics/cost?${range}&group_by=label:project&format=csv`)
        .set('Authorization', admin)
        .expect(200);
      expect(csv.text.split('\n')[0]).toMatch(/^label:project,cost_usd,/);
    });

    it('names each label column in full, keys of 63 characters included', async () => {
      // PostgreSQL cuts a column name at 63 bytes: these two would both be cut to the same name.
      const [first, second] = ['a', 'b'].map((last) => `${'k'.repeat(62)}${last}`);
      const { rows } = await get(`/analytics/cost?${range}&group_by=label:${first},label:${second}`);
      expect(rows.map((r: Record<string, unknown>) => [r[`label:${first}`], r[`label:${second}`], r.cost_usd])).toEqual(
        [['(none)', '(none)', 900]],
      );
    });

    it('filters every report by label.<key>=<value>', async () => {
      const filtered = await get(`/analytics/cost?${range}&group_by=team&label.project=borealis`);
      expect(rowsOf(filtered.rows, 'team_name')).toEqual([['nlp', 180, 1]]);
      expect(filtered.totals).toMatchObject({ allocated_usd: 180, unallocated_usd: 0, total_usd: 180 });
      // Two keys, or a label with a provider filter: the job-day rows answer the same way.
      const both = await get(`/analytics/cost?${range}&group_by=team&label.project=atlas&label.experiment=e1`);
      expect(rowsOf(both.rows, 'team_name')).toEqual([['vision', 600, 1]]);
      const withProvider = await get(`/analytics/cost?${range}&group_by=model&label.experiment=e2&provider=aws`);
      expect(rowsOf(withProvider.rows, 'model_name')).toEqual([['bert', 120, 1]]);
      const byTeam = await get(`/analytics/cost/by-team?${range}&label.project=atlas`);
      expect(byTeam.map((r: { team_name: string; total_cost_usd: number }) => [r.team_name, r.total_cost_usd])).toEqual(
        [['vision', 600]],
      );
      const byModel = await get(`/analytics/cost/by-model?${range}&label.experiment=e2`);
      expect(
        byModel.map((r: { model_name: string; total_cost_usd: number }) => [r.model_name, r.total_cost_usd]),
      ).toEqual([['bert', 120]]);
      const trends = await get(`/analytics/trends?${range}&group_by=team&label.project=atlas`);
      expect(trends.totals).toMatchObject({ cost_usd: 600 });
      const focus = parse<Record<string, string>>(
        (
          await t.http
            .get(`/api/v1/analytics/cost/export?${range}&label.project=atlas`)
            .set('Authorization', admin)
            .expect(200)
        ).text,
        { columns: true },
      );
      expect(focus.map((r) => [r.x_JobId, r.BilledCost, JSON.parse(r.Tags)])).toEqual([
        ['label-A', '600.000000', { experiment: 'e1', project: 'atlas' }],
      ]);
    });

    it('refuses label filters where a report is a team’s whole spend (budgets, forecast), saying why', async () => {
      for (const path of ['/analytics/budgets?month=2026-01', '/analytics/forecast?month=2026-01']) {
        const res = await t.http.get(`/api/v1${path}&label.project=atlas`).set('Authorization', admin).expect(400);
        expect(res.body.details).toEqual([
          {
            field: 'labels',
            message: expect.stringMatching(/^label filters .* do not apply here: a .* team's whole spend/),
          },
        ]);
      }
    });

    it('scopes a member to its team in label groups and filters', async () => {
      const member = (await memberAuth(t, nlp.id)).header;
      const mine = await get(`/analytics/cost?${range}&group_by=label:project`, member);
      expect(rowsOf(mine.rows, 'label:project')).toEqual([
        ['borealis', 180, 1],
        ['(none)', 120, 1],
      ]);
      const other = await get(`/analytics/cost?${range}&group_by=team&label.project=atlas`, member);
      expect(other.rows).toEqual([]);
      const jobs = await get('/jobs?label.project=atlas', member);
      expect(jobs.jobs).toEqual([]);
    });

    it('asks for the team beside a label under idle=owner, and refuses a bad dimension naming group_by and the entry', async () => {
      const owner = await t.http
        .get(`/api/v1/analytics/cost?${range}&group_by=label:project&idle=owner`)
        .set('Authorization', admin)
        .expect(400);
      expect(owner.body.details.map((d: { field: string }) => d.field)).toEqual(['idle']);
      await t.http
        .get(`/api/v1/analytics/cost?${range}&group_by=team,label:project&idle=owner`)
        .set('Authorization', admin)
        .expect(200);
      for (const [groupBy, message] of [
        ['label:', /^group_by label:: /],
        ['label:-x', /^group_by label:-x: /],
        ['label:a b', /^group_by label:a b: /],
        ['labels:project', /^group_by must be among .*, or label:<key>$/],
        ['team,labels:project', /^group_by must be among .*, or label:<key>$/],
      ] as const) {
        const res = await t.http
          .get(`/api/v1/analytics/cost?${range}&group_by=${encodeURIComponent(groupBy)}`)
          .set('Authorization', admin)
          .expect(400);
        expect(res.body.details).toEqual([{ field: 'group_by', message: expect.stringMatching(message) }]);
      }
    });
  });

  describe('utilization', () => {
    it('splits the allocated cost into used, waste and unmeasured, with efficiency over the measured jobs', async () => {
      const { rows, totals } = await get(`/analytics/cost?${range}&group_by=label:project`);
      const pick = (r: Record<string, unknown>) => [
        r['label:project'],
        r.used_cost_usd,
        r.waste_usd,
        r.unmeasured_cost_usd,
        r.efficiency,
      ];
      expect(rows.map(pick)).toEqual([
        ['atlas', 300, 300, 0, 0.5],
        ['borealis', 0, 0, 180, null],
        ['(none)', 30, 90, 0, 0.25],
      ]);
      expect(totals).toMatchObject({
        used_cost_usd: 330,
        waste_usd: 390,
        unmeasured_cost_usd: 180,
        efficiency: 0.4583,
      });
      const teams = await get(`/analytics/cost/by-team?${range}`);
      expect(
        teams.map((r: Record<string, unknown>) => [r.team_name, r.used_cost_usd, r.waste_usd, r.unmeasured_cost_usd]),
      ).toEqual([
        ['vision', 300, 300, 0],
        ['nlp', 30, 90, 180],
      ]);
      // The job-day rows give the same figures as the day sums.
      const byProvider = await get(`/analytics/cost?${range}&group_by=provider&status=completed`);
      expect(byProvider.totals).toMatchObject({ used_cost_usd: 330, waste_usd: 390, unmeasured_cost_usd: 180 });
    });

    it('explains a job-day’s used cost: its cost × its utilization, null without one', async () => {
      const a = await get('/jobs/label-A/cost/explain?day=2026-01-03');
      expect(a.job).toMatchObject({ cost_usd: 600, gpu_utilization: 0.5, used_cost_usd: 300 });
      const b = await get('/jobs/label-B/cost/explain?day=2026-01-03');
      expect(b.job).toMatchObject({ cost_usd: 180, gpu_utilization: null, used_cost_usd: null });
    });
  });

  it('keeps the label sums equal to a rebuild after label edits', async () => {
    const edited = { ...jobB, labels: { project: 'atlas', experiment: 'e9' }, gpu_utilization: 0.75 };
    await postIngest(t, 'jobs', 'application/json', { jobs: [edited] }).expect(200);
    const { rows } = await get(`/analytics/cost?${range}&group_by=label:project`);
    expect(rows.map((r: Record<string, unknown>) => [r['label:project'], r.cost_usd])).toEqual([
      ['atlas', 780],
      ['(none)', 120],
    ]);
    const incremental = await allocationState(t.db);
    await t.app.get(AllocationService).rebuild();
    expect(await allocationState(t.db)).toEqual(incremental);
  });
});
