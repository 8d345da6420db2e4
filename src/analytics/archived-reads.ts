import { HttpStatus } from '@nestjs/common';
import type { ArchivedWindow } from '../allocation/allocation.service';
import { addDays } from '../common/calendar';
import { DomainError } from '../common/errors/domain-error';
import type { IdleMode } from '../common/idle.query';
import type { DimensionSql, ScopedFilters } from './cost-sources';
import type { ArchivedPart } from './dto/cost.response';

/**
 * Reports over archived months (docs/allocation.md, "Archiving old months"). Archived days keep
 * their cells (day × provider × GPU type: snapshot, GPU-hours, allocated and idle cost); their
 * job-days and day sums are gone. A report answers from the cells what they hold, and refuses
 * (409, naming the months) what only the deleted rows could answer, rather than count the
 * archived days as days without spend.
 */

const listed = (months: string[]) =>
  months.length > 1 ? `${months.slice(0, -1).join(', ')} and ${months[months.length - 1]} are` : `${months[0]} is`;

/**
 * 409 naming the archived months and the field that asks for `what` (`cost by team`), which
 * they no longer keep.
 */
function archivedConflict(archive: ArchivedWindow, field: string, what: string): DomainError {
  const message =
    `${listed(archive.months)} archived: archived months keep only their cost per day, provider and GPU type, ` +
    `not their ${what} (their job-level rows went to the archive's FOCUS file). Ask from ${archive.before} on`;
  return new DomainError(HttpStatus.CONFLICT, message, [{ field, message, archived_months: archive.months }]);
}

/** A report that needs job-level rows refuses a window that reaches archived months. */
export function refuseArchived(archive: ArchivedWindow | null, field: string, what: string): void {
  if (archive) throw archivedConflict(archive, field, what);
}

/**
 * `/analytics/cost` over archived days answers from their cells: filters and treatments the
 * cells cannot answer (a team — members are always scoped to theirs —, a model, a status, a
 * label, idle charged to owner teams) are refused.
 */
export function refuseArchivedDetail(archive: ArchivedWindow, f: ScopedFilters, idle?: IdleMode): void {
  const field = (['team_id', 'model_name', 'status'] as const).find((k) => f[k] !== undefined);
  if (field) throw archivedConflict(archive, field, `cost by ${field.replace('_id', '').replace('_name', '')}`);
  if (f.labels?.length) throw archivedConflict(archive, 'labels', 'cost by label');
  if (idle === 'owner') throw archivedConflict(archive, 'idle', 'cost by team, which idle=owner charges');
}

/** What `/analytics/cost` says of the archived months its window reaches. */
export function archivedPart(archive: ArchivedWindow): ArchivedPart {
  return {
    months: archive.months,
    first_unarchived_day: archive.before,
    note:
      'Archived months keep their cost per day, provider and GPU type only: their rows are marked archived, ' +
      'with no team, model or label, no job count and no utilization.',
  };
}

/** The live part of a window: from the first unarchived day on (it may be empty: start after end). */
export const liveStart = (start: string, archive: ArchivedWindow) => (archive.before > start ? archive.before : start);

/** The last archived day of a window. */
export const archivedEnd = (end: string, archive: ArchivedWindow) => {
  const last = addDays(archive.before, -1);
  return last < end ? last : end;
};

/**
 * The archived days' groups from their cells `r`, in the columns of the live groups (keys, cost,
 * idle with an idle mode, GPU-hours, unpriced GPU-hours, job count, measured and used cost): keys
 * the cells hold (time, provider, GPU type) are computed as for any source, the others are null,
 * and so are the counts the cells do not keep. Only used cells make groups. Under idle=share a used cell's idle goes to its
 * users, here the archived row. Appends its parameters (the archived range, provider and GPU type).
 */
export function archivedGroups(
  keys: DimensionSql[],
  f: ScopedFilters,
  idle: IdleMode | undefined,
  range: { start: string; end: string },
  params: unknown[],
): string {
  const kept = keys.filter((k) => k.time || k.name === 'provider' || k.name === 'gpu_type');
  // Cells nobody used are no group (as in the live rows): their idle is in totals.unallocated_usd.
  const where = [
    `r.day BETWEEN $${params.push(range.start)}::date AND $${params.push(range.end)}::date`,
    'r.job_count > 0',
  ];
  if (f.provider) where.push(`r.provider = $${params.push(f.provider)}`);
  if (f.gpu_type) where.push(`r.gpu_type = $${params.push(f.gpu_type)}`);
  const nullOf = (k: DimensionSql) => (k.name === 'team_id' ? 'NULL::uuid' : 'NULL::text');
  return `
    SELECT ${[
      ...keys.map((k) => `${kept.includes(k) ? k.key : nullOf(k)} AS ${k.name}`),
      'sum(coalesce(r.allocated_usd, 0)) AS cost',
      ...(idle
        ? [`sum(${idle === 'share' ? 'CASE WHEN r.job_count > 0 THEN r.unallocated_usd ELSE 0 END' : '0'}) AS idle`]
        : []),
      'sum(r.gpu_hours) AS gpu_hours',
      'sum(r.unpriced_gpu_hours) AS unpriced_gpu_hours',
      'NULL::bigint AS job_count',
      'NULL::numeric AS measured',
      'NULL::numeric AS used',
      'true AS archived',
    ].join(', ')}
    FROM allocation_cells r
    WHERE ${where.join(' AND ')}
    ${kept.length ? `GROUP BY ${kept.map((k) => k.key).join(', ')}` : 'HAVING count(*) > 0'}`;
}
