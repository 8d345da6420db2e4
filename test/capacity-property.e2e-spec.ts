import { DERIVED_TABLES } from '../src/allocation/allocation-rebuild.sql';
import fc from 'fast-check';
import { allocate, CapacityInput, costByTeam, IdleTreatment } from '../src/allocation/allocation-math';
import { AllocationService } from '../src/allocation/allocation.service';
import { allocationState } from './support/allocation-state';
import {
  adminAuth,
  createJob,
  createSnapshot,
  createTeam,
  JobInput,
  jobIntervals,
  TeamRow,
  updateJobRow,
} from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Random jobs, snapshots and capacity (declared, changed, removed through the API, overlaps
 * refused), then every idle treatment read through the reports: every snapshot dollar lands on a
 * job or on idle to the cent, each team is charged what the arithmetic of allocation-math.ts
 * says, and the incrementally maintained tables equal a rebuild.
 */
describe('Capacity and idle on random datasets (property)', () => {
  let t: TestApp;
  let allocation: AllocationService;
  let admin: string;
  let teams: TeamRow[];

  beforeAll(async () => {
    t = await createTestApp();
    allocation = t.app.get(AllocationService);
    admin = (await adminAuth(t)).header;
    teams = [await createTeam(t.db), await createTeam(t.db), await createTeam(t.db)];
  });
  afterAll(() => t.close());

  const combos = [
    ['aws', 'a100'],
    ['aws', 'h100'],
    ['gcp', 'a100'],
    ['gcp', 'h100'],
  ] as const;
  const base = Date.UTC(2026, 0, 1);
  const iso = (minute: number) => new Date(base + minute * 60_000).toISOString();
  const dayOf = (d: number) => new Date(base + d * 86_400_000).toISOString().slice(0, 10);
  const RANGE = `start=${dayOf(0)}&end=${dayOf(12)}`;

  const jobArb = fc.record({
    combo: fc.integer({ min: 0, max: 3 }),
    gpu_count: fc.constantFrom(0.5, 1, 2, 4, 8),
    startMinute: fc.integer({ min: 0, max: 6 * 1440 }),
    minutes: fc.integer({ min: 1, max: 2 * 1440 }),
    team: fc.integer({ min: 0, max: 2 }),
    status: fc.constantFrom('completed', 'failed', 'queued'),
    // Labels (a project among three, or none; sometimes an experiment too) and utilization (or none).
    project: fc.option(fc.constantFrom('atlas', 'borealis', 'comet'), { nil: null }),
    experiment: fc.option(fc.constantFrom('e1', 'e2'), { nil: null }),
    utilization: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
  });
  const snapshotArb = fc.record({
    day: fc.integer({ min: 0, max: 8 }),
    combo: fc.integer({ min: 0, max: 3 }),
    cents: fc.integer({ min: 0, max: 500_000 }),
  });
  const capacityArb = fc.record({
    combo: fc.integer({ min: 0, max: 3 }),
    from: fc.integer({ min: 0, max: 8 }),
    days: fc.option(fc.integer({ min: 0, max: 8 }), { nil: null }),
    gpu_count: fc.constantFrom(0.5, 1, 2, 4, 8, 16),
    owner: fc.integer({ min: 0, max: 3 }),
  });
  type CapacitySpec = typeof capacityArb extends fc.Arbitrary<infer T> ? T : never;

  /** The body of a capacity spec, and its model (the owner index 3: none). */
  const capacityOf = (spec: CapacitySpec): CapacityInput => ({
    provider: combos[spec.combo][0],
    gpuType: combos[spec.combo][1],
    gpuCount: spec.gpu_count,
    from: dayOf(spec.from),
    to: spec.days === null ? null : dayOf(spec.from + spec.days),
    ownerTeamId: spec.owner < 3 ? teams[spec.owner].id : null,
  });
  const body = (c: CapacityInput) => ({
    provider: c.provider,
    gpu_type: c.gpuType,
    gpu_count: c.gpuCount,
    from: c.from,
    to: c.to,
    owner_team_id: c.ownerTeamId,
  });
  const overlaps = (a: CapacityInput, b: CapacityInput) =>
    a.provider === b.provider &&
    a.gpuType === b.gpuType &&
    a.from <= (b.to ?? '9999-12-31') &&
    b.from <= (a.to ?? '9999-12-31');

  const api = (method: 'post' | 'patch' | 'delete', path: string, payload?: object) =>
    t.http[method](`/api/v1/capacity${path}`).set('Authorization', admin).send(payload);
  const report = async (query: string) =>
    (await t.http.get(`/api/v1/analytics/cost?${RANGE}&${query}`).set('Authorization', admin).expect(200)).body;

  it('conserves every snapshot dollar under every idle treatment, charges teams as the arithmetic says, and incremental == rebuild', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(jobArb, { maxLength: 10 }),
        fc.uniqueArray(snapshotArb, { maxLength: 10, selector: (s) => `${s.day}|${s.combo}` }),
        fc.array(capacityArb, { maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), fc.option(capacityArb, { nil: null })), { maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), jobArb), { maxLength: 3 }),
        async (jobSpecs, snapshotSpecs, capacitySpecs, capacityEdits, jobEdits) => {
          await t.db.query(`TRUNCATE capacities, jobs, cost_snapshots, ${DERIVED_TABLES.join(', ')}`);
          const toRow = (s: (typeof jobSpecs)[number]) => ({
            provider: combos[s.combo][0],
            gpu_type: combos[s.combo][1],
            gpu_count: s.gpu_count,
            status: s.status,
            start_time: iso(s.startMinute),
            end_time: iso(s.startMinute + s.minutes),
            model_name: `m${s.team}`,
            labels: {
              ...(s.project === null ? {} : { project: s.project }),
              ...(s.experiment === null ? {} : { experiment: s.experiment }),
            },
            gpu_utilization: s.utilization === null ? null : s.utilization / 100,
          });
          const jobs: (JobInput & { id: string })[] = [];
          for (const spec of jobSpecs) jobs.push(await createJob(t.db, teams[spec.team].id, toRow(spec)));
          for (const s of snapshotSpecs) {
            await createSnapshot(t.db, {
              entry_date: dayOf(s.day),
              provider: combos[s.combo][0],
              gpu_type: combos[s.combo][1],
              cost_usd: s.cents / 100,
            });
          }
          await t.db.transaction(async (m) => {
            await allocation.markJobsChanged(m, jobIntervals(jobs, { newJob: true }));
            await allocation.markSnapshotsChanged(
              m,
              snapshotSpecs.map((s) => ({
                day: dayOf(s.day),
                provider: combos[s.combo][0],
                gpuType: combos[s.combo][1],
              })),
            );
            await allocation.refreshDirty(m);
          });

          // Capacity through the API: each write re-prices its cells; an overlap is a 409.
          const capacities: (CapacityInput & { id: string })[] = [];
          for (const spec of capacitySpecs) {
            const c = capacityOf(spec);
            const clash = capacities.some((other) => overlaps(c, other));
            const res = await api('post', '', body(c)).expect(clash ? 409 : 201);
            if (!clash) capacities.push({ ...c, id: res.body.id });
          }
          for (const [index, spec] of capacityEdits) {
            if (!capacities.length) break;
            const i = index % capacities.length;
            if (spec === null) {
              await api('delete', `/${capacities[i].id}`).expect(204);
              capacities.splice(i, 1);
              continue;
            }
            const c = capacityOf(spec);
            const clash = capacities.some((other, j) => j !== i && overlaps(c, other));
            await api('patch', `/${capacities[i].id}`, body(c)).expect(clash ? 409 : 200);
            if (!clash) capacities[i] = { ...c, id: capacities[i].id };
          }
          // Jobs changed after the capacity: the changed-jobs path prices them with it.
          for (const [index, spec] of jobEdits) {
            if (!jobs.length) break;
            const old = jobs[index % jobs.length];
            const changed = { ...old, ...toRow(spec), team_id: teams[spec.team].id };
            await updateJobRow(t.db, { ...changed, id: old.id });
            jobs[index % jobs.length] = changed;
            await t.db.transaction(async (m) => {
              await allocation.markJobsChanged(m, jobIntervals([old, changed]));
              await allocation.refreshDirty(m);
            });
          }

          // Each cell's allocated and idle add up to its snapshot exactly (as numbers: their scales differ).
          const [sums] = await t.db.query(`SELECT
              (SELECT coalesce(sum(cost_usd), 0) FROM cost_snapshots)::text AS snapshots,
              (SELECT count(*) FROM allocation_cells
               WHERE allocated_usd + unallocated_usd <> coalesce(snapshot_cost_usd, 0))::int AS unbalanced,
              (SELECT count(*) FROM allocation_cells WHERE unallocated_usd < 0 OR allocated_usd < 0)::int AS negatives`);
          expect(sums.unbalanced).toBe(0);
          expect(sums.negatives).toBe(0);
          const snapshotCents = Math.round(Number(sums.snapshots) * 100);

          const model = allocate(
            jobs.map((j) => ({
              id: j.id,
              provider: j.provider,
              gpuType: j.gpu_type,
              gpuCount: j.gpu_count,
              start: new Date(j.start_time),
              end: new Date(j.end_time!),
              status: j.status,
            })),
            snapshotSpecs.map((s) => ({
              day: dayOf(s.day),
              provider: combos[s.combo][0],
              gpuType: combos[s.combo][1],
              costUsd: s.cents / 100,
            })),
            new Date(),
            capacities,
          );
          const teamOfJob = new Map(jobs.map((j) => [j.id, j.team_id]));
          for (const idle of ['separate', 'share', 'owner'] as IdleTreatment[]) {
            const { rows, totals } = await report(`group_by=team&idle=${idle}`);
            // Every snapshot dollar lands on a row or on the idle left apart, to the cent.
            expect(Math.round(totals.total_usd * 100)).toBe(snapshotCents);
            expect(Math.round((totals.allocated_usd + totals.idle_usd + totals.unallocated_usd) * 100)).toBe(
              snapshotCents,
            );
            const rowCents = rows.reduce(
              (sum: number, r: { cost_usd: number }) => sum + Math.round(r.cost_usd * 100),
              0,
            );
            expect(Math.abs(rowCents - Math.round(totals.cost_usd * 100))).toBeLessThanOrEqual(rows.length);
            const expected = costByTeam(model, (id) => teamOfJob.get(id)!, idle);
            // The teams that used GPUs, and under owner those charged idle (a float's dust is no idle).
            const charged = [...expected.teams.entries()].filter(
              ([id, v]) => v.idleUsd > 1e-6 || model.jobDays.some((d) => teamOfJob.get(d.jobUuid) === id),
            );
            expect(rows.map((r: { team_id: string }) => r.team_id).sort()).toEqual(charged.map(([id]) => id).sort());
            for (const row of rows as { team_id: string; allocated_usd: number; idle_usd: number }[]) {
              const team = expected.teams.get(row.team_id)!;
              // Each rounded to cents on its own: half a cent apart at most, a cent for the difference.
              expect(Math.abs(row.allocated_usd - team.allocatedUsd)).toBeLessThanOrEqual(0.0051);
              expect(Math.abs(row.idle_usd - team.idleUsd)).toBeLessThanOrEqual(0.011);
            }
            expect(Math.abs(totals.unallocated_usd - expected.separateIdleUsd)).toBeLessThanOrEqual(0.011);
          }

          // Labels: each project's row (and "(none)") is what its jobs were charged, under every
          // treatment the snapshots are conserved, the label day sums agree with the job-day rows,
          // and a label filter gives its group's figures.
          const labelsOf = new Map(jobs.map((j) => [j.id, j.labels ?? {}]));
          const byProject = new Map<string, number>();
          for (const jd of model.jobDays) {
            const project = labelsOf.get(jd.jobUuid)!.project ?? '(none)';
            byProject.set(project, (byProject.get(project) ?? 0) + jd.costUsd);
          }
          for (const [idle, groupBy] of [
            ['separate', 'label:project'],
            ['share', 'label:project'],
            ['owner', 'team,label:project'],
          ]) {
            const { rows, totals } = await report(`group_by=${groupBy}&idle=${idle}`);
            expect(Math.round(totals.total_usd * 100)).toBe(snapshotCents);
            const rowCents = rows.reduce(
              (sum: number, r: { cost_usd: number }) => sum + Math.round(r.cost_usd * 100),
              0,
            );
            expect(Math.abs(rowCents - Math.round(totals.cost_usd * 100))).toBeLessThanOrEqual(rows.length);
          }
          const projects = (await report('group_by=label:project')).rows as Record<string, number | string>[];
          expect(projects.map((r) => r['label:project']).sort()).toEqual(
            [...byProject.keys()]
              .filter((p) => model.jobDays.some((d) => (labelsOf.get(d.jobUuid)!.project ?? '(none)') === p))
              .sort(),
          );
          for (const row of projects) {
            expect(Math.abs(Number(row.cost_usd) - byProject.get(String(row['label:project']))!)).toBeLessThanOrEqual(
              0.0051,
            );
          }
          // The same question answered from job-days (a provider split forces them) sums to the same cents.
          const split = (await report('group_by=label:project,provider')).rows as Record<string, number | string>[];
          for (const row of projects) {
            const parts = split.filter((r) => r['label:project'] === row['label:project']);
            const cents = parts.reduce((sum, r) => sum + Math.round(Number(r.cost_usd) * 100), 0);
            expect(Math.abs(cents - Math.round(Number(row.cost_usd) * 100))).toBeLessThanOrEqual(parts.length);
            // A job has one provider: its project's jobs split among them.
            expect(parts.reduce((sum, r) => sum + Number(r.job_count), 0)).toBe(Number(row.job_count));
            if (row['label:project'] === '(none)') continue;
            const filtered = await report(`label.project=${row['label:project']}&group_by=team`);
            expect(filtered.totals.allocated_usd).toBe(row.cost_usd);
            expect(filtered.totals.used_cost_usd).toBe(row.used_cost_usd);
          }

          // Utilization: used cost is cost × utilization over the jobs that report it; used,
          // waste and unmeasured add up to the allocated cost; explain gives a job-day's used cost.
          const utilizationOf = new Map(jobs.map((j) => [j.id, j.gpu_utilization ?? null]));
          let used = 0;
          let measured = 0;
          for (const jd of model.jobDays) {
            const u = utilizationOf.get(jd.jobUuid);
            if (u === null || u === undefined) continue;
            used += jd.costUsd * u;
            measured += jd.costUsd;
          }
          const { totals: all } = await report('group_by=team');
          expect(Math.abs(all.used_cost_usd - used)).toBeLessThanOrEqual(0.011);
          expect(Math.abs(all.used_cost_usd + all.waste_usd - measured)).toBeLessThanOrEqual(0.011);
          expect(Math.round((all.used_cost_usd + all.waste_usd + all.unmeasured_cost_usd) * 100)).toBe(
            Math.round(all.allocated_usd * 100),
          );

          // Explaining a job's day gives the reports' numbers: its cell's allocated and idle are
          // the totals of that cell, its cost its daily cost, its total under share its cost plus
          // its share (as the per-job rows would be).
          for (const jd of model.jobDays.slice(0, 2)) {
            const job = jobs.find((j) => j.id === jd.jobUuid)!;
            const explained = (
              await t.http
                .get(`/api/v1/jobs/${encodeURIComponent(job.job_id)}/cost/explain?day=${jd.day}&idle=share`)
                .set('Authorization', admin)
                .expect(200)
            ).body;
            const cellTotals = (
              await t.http
                .get(
                  `/api/v1/analytics/cost?start=${jd.day}&end=${jd.day}&provider=${jd.provider}&gpu_type=${jd.gpuType}`,
                )
                .set('Authorization', admin)
                .expect(200)
            ).body.totals;
            expect(explained.cell).toMatchObject({
              allocated_usd: cellTotals.allocated_usd,
              idle_usd: cellTotals.unallocated_usd,
            });
            const detail = (
              await t.http.get(`/api/v1/jobs/${encodeURIComponent(job.job_id)}`).set('Authorization', admin)
            ).body;
            expect(detail.daily_costs.find((d: { date: string }) => d.date === jd.day).cost_usd).toBe(
              explained.job.cost_usd,
            );
            expect(explained.idle.job_total_usd).toBe(
              Math.round((explained.job.cost_usd + explained.idle.job_idle_usd) * 100) / 100,
            );
            if (job.gpu_utilization === null || job.gpu_utilization === undefined) {
              expect(explained.job.used_cost_usd).toBeNull();
            } else {
              expect(Math.abs(explained.job.used_cost_usd - jd.costUsd * job.gpu_utilization)).toBeLessThanOrEqual(
                0.0051,
              );
            }
          }

          const incremental = await allocationState(t.db);
          await allocation.rebuild();
          expect(await allocationState(t.db)).toEqual(incremental);
        },
      ),
      { numRuns: 25 },
    );
    // Shrinking a counterexample replays the dataset many times over.
  }, 600_000);
});
