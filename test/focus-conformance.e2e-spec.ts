import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AllocationService } from '../src/allocation/allocation.service';
import { adminAuth, createJob, createSnapshot, createTeam, jobIntervals, TeamRow } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

interface ColumnRequirement {
  file: string;
  featureLevel: 'Mandatory' | 'Conditional' | 'Recommended' | 'Optional';
  allowsNulls: boolean;
  dataType: string;
  valueFormat: string;
  allowedValues?: string[];
}

interface FocusFixture {
  spec: { repository: string; version: string; tag: string; commit: string; folder: string };
  laterColumns: { version: string; columns: string[] };
  columns: Record<string, ColumnRequirement>;
}

/** The requirements of every FOCUS column, read from the specification's column files (see the fixture's `spec`). */
const FOCUS: FocusFixture = JSON.parse(
  readFileSync(path.join(__dirname, 'fixtures', 'focus-1.2-columns.json'), 'utf8'),
) as FocusFixture;

const DECIMAL = /^-?\d+(\.\d+)?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const CURRENCY = /^[A-Z]{3}$/;

/** Why a CSV cell breaks its column's requirements, or null. An empty cell is null in FOCUS CSV. */
function violation(name: string, value: string): string | null {
  const column = FOCUS.columns[name];
  if (value === '') return column.allowsNulls ? null : `${name} must not be null (${column.file})`;
  if (column.dataType === 'Decimal' && !DECIMAL.test(value)) return `${name} ${value} is not a decimal`;
  if (column.dataType === 'Date/Time' && !DATE_TIME.test(value)) return `${name} ${value} is not a FOCUS date/time`;
  if (/currency/i.test(column.valueFormat) && !CURRENCY.test(value)) return `${name} ${value} is not a currency code`;
  if (column.dataType === 'JSON') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return `${name} is not JSON`;
    }
    const isObject = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
    const flat = isObject && Object.values(parsed as object).every((v) => v === null || typeof v !== 'object');
    if (/key-?value/i.test(column.valueFormat) && !flat) return `${name} is not a key-value object`;
  }
  if (column.allowedValues && !column.allowedValues.includes(value)) return `${name} ${value} is not an allowed value`;
  return null;
}

/**
 * The FOCUS export against the specification it declares: every mandatory column present, every
 * value of its column's type and in its allowed set, nulls only where allowed, other columns
 * either Heliox's own (x_) or the later version's split allocation columns; every cost column
 * adds up to the reports' totals to the cent, under each idle treatment.
 */
describe(`FOCUS export conforms to FOCUS ${FOCUS.spec.version}`, () => {
  let t: TestApp;
  let admin: string;
  let platform: TeamRow;
  const range = 'start=2026-01-03&end=2026-01-04';

  beforeAll(async () => {
    t = await createTestApp();
    const vision = await createTeam(t.db, { name: 'vision' });
    const nlp = await createTeam(t.db, { name: 'nlp' });
    platform = await createTeam(t.db, { name: 'platform' });
    const h100 = { provider: 'aws', gpu_type: 'h100' };
    const jobs = [
      await createJob(t.db, vision.id, {
        ...h100,
        gpu_count: 8,
        start_time: '2026-01-03T00:00:00Z',
        end_time: '2026-01-03T10:00:00Z',
        labels: { project: 'atlas', 'team.io/stage': 'train' },
        gpu_utilization: 0.6,
      }),
      await createJob(t.db, nlp.id, {
        ...h100,
        gpu_count: 4,
        start_time: '2026-01-03T10:00:00Z',
        end_time: '2026-01-03T15:00:00Z',
      }),
      await createJob(t.db, nlp.id, {
        ...h100,
        gpu_count: 10,
        start_time: '2026-01-04T00:00:00Z',
        end_time: '2026-01-05T00:00:00Z',
        labels: { project: 'borealis' },
      }),
      await createJob(t.db, nlp.id, {
        provider: 'gcp',
        gpu_type: 'a100',
        gpu_count: 1,
        start_time: '2026-01-04T00:00:00Z',
        end_time: '2026-01-04T03:00:00Z',
      }),
    ];
    await createSnapshot(t.db, { entry_date: '2026-01-03', gpu_type: 'h100', cost_usd: 960 });
    await createSnapshot(t.db, { entry_date: '2026-01-03', gpu_type: 'a100', cost_usd: 300 });
    await createSnapshot(t.db, { entry_date: '2026-01-04', gpu_type: 'h100', cost_usd: 960.37 });
    const allocation = t.app.get(AllocationService);
    await t.db.transaction(async (m) => {
      await allocation.markJobsChanged(m, jobIntervals(jobs, { newJob: true }));
      await allocation.markSnapshotsChanged(m, [{ day: '2026-01-03', provider: 'aws', gpuType: 'a100' }]);
    });
    admin = (await adminAuth(t)).header;
    // Owned capacity on aws/h100 (used below it on the 3rd, beyond it on the 4th), none on aws/a100.
    await t.http
      .post('/api/v1/capacity')
      .set('Authorization', admin)
      .send({ provider: 'aws', gpu_type: 'h100', gpu_count: 8, from: '2026-01-01', owner_team_id: platform.id })
      .expect(201);
  });
  afterAll(() => t.close());

  const exported = async (query: string) => {
    const text = (
      await t.http.get(`/api/v1/analytics/cost/export?${range}&${query}`).set('Authorization', admin).expect(200)
    ).text;
    const header = text.split('\n')[0].split(',');
    return { header, rows: parse<Record<string, string>>(text, { columns: true }) };
  };

  it('names the specification it was read from', () => {
    expect(FOCUS.spec).toMatchObject({ repository: 'FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec', version: '1.2' });
    expect(Object.keys(FOCUS.columns).length).toBeGreaterThan(50);
    for (const column of Object.values(FOCUS.columns)) expect(column.file).toMatch(/^specification\/columns\/.+\.md$/);
  });

  it.each(['idle=separate', 'idle=share', 'idle=owner'])(
    'has every mandatory column, only FOCUS or x_ columns, and every value as its column requires (%s)',
    async (query) => {
      const { header, rows } = await exported(query);
      const mandatory = Object.entries(FOCUS.columns)
        .filter(([, c]) => c.featureLevel === 'Mandatory')
        .map(([name]) => name);
      expect(mandatory.filter((name) => !header.includes(name))).toEqual([]);
      const unknown = header.filter(
        (name) => !FOCUS.columns[name] && !name.startsWith('x_') && !FOCUS.laterColumns.columns.includes(name),
      );
      expect(unknown).toEqual([]);
      // Tags is conditional on supporting tags: Heliox does (labels).
      expect(header).toContain('Tags');
      expect(rows.length).toBeGreaterThan(0);
      const problems = rows.flatMap((row) =>
        header.filter((name) => FOCUS.columns[name]).map((name) => violation(name, row[name])),
      );
      expect(problems.filter((p) => p !== null)).toEqual([]);
      for (const row of rows) {
        if (row.AllocatedMethodDetails) expect(typeof JSON.parse(row.AllocatedMethodDetails)).toBe('object');
      }
      expect(
        rows
          .map((r) => r.Tags)
          .filter(Boolean)
          .map((tags) => JSON.parse(tags) as unknown),
      ).toContainEqual({ project: 'atlas', 'team.io/stage': 'train' });
    },
  );

  it.each([
    ['idle=share', 'group_by=team&idle=share'],
    ['idle=owner', 'group_by=team&idle=owner'],
  ])('adds up every cost column to the reports’ totals to the cent (%s)', async (exportQuery, reportQuery) => {
    const { rows } = await exported(exportQuery);
    const totals = (
      await t.http.get(`/api/v1/analytics/cost?${range}&${reportQuery}`).set('Authorization', admin).expect(200)
    ).body.totals;
    // Exported: the jobs' rows and the idle charged to them or to owners; what no row carries
    // (the unused, unowned a100 snapshot) is the report's unallocated_usd.
    for (const column of ['BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost']) {
      const cents = Math.round(rows.reduce((sum, r) => sum + Number(r[column]), 0) * 100);
      expect([column, cents]).toEqual([column, Math.round(totals.cost_usd * 100)]);
    }
    expect(Math.round((totals.cost_usd + totals.unallocated_usd) * 100)).toBe(Math.round((960 + 300 + 960.37) * 100));
  });

  it('adds up under idle=separate to the allocated cost and the idle of used capacity', async () => {
    const { rows } = await exported('idle=separate');
    const totals = (
      await t.http.get(`/api/v1/analytics/cost?${range}&group_by=team&idle=separate`).set('Authorization', admin)
    ).body.totals;
    const jobCents = Math.round(rows.filter((r) => r.x_JobId).reduce((s, r) => s + Number(r.BilledCost), 0) * 100);
    expect(jobCents).toBe(Math.round(totals.allocated_usd * 100));
    const idleCents = Math.round(rows.filter((r) => !r.x_JobId).reduce((s, r) => s + Number(r.BilledCost), 0) * 100);
    // The 3rd's 92 idle GPU-hours of aws/h100 at $5; the a100 snapshot nobody used is left out.
    expect(idleCents).toBe(46_000);
    expect(Math.round(totals.unallocated_usd * 100)).toBe(46_000 + 30_000);
  });
});
