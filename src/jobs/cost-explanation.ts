import type { IdleMode } from '../common/idle.query';
import type { JobDayInCell } from '../allocation/allocation.service';
import { DAY_MS } from '../common/calendar';
import { roundCents, roundedParts } from '../common/money';
import type { CostExplanationResponse, ExplainedIdle } from './dto/cost-explanation.dto';
import type { JobResponse } from './dto/job.response';

/** How a cell was priced (docs/allocation.md). */
export const CELL_RULES = ['capacity', 'over_capacity', 'usage', 'unpriced'] as const;
export type CellRule = (typeof CELL_RULES)[number];

const HOUR_MS = 3_600_000;
const usd = (value: number) => `$${value.toFixed(2)}`;
const round = (value: number, decimals: number) => Number(value.toFixed(decimals));
/** A difference of amounts in cents, without the float's noise. */
const centsApart = (a: number, b: number) => Math.round((a - b) * 100) / 100;

/**
 * "Explain this dollar": one job's day in its cell, with the numbers the reports use, rounded as
 * they round them (a job's cost to cents; a cell's allocated and idle so that they add up to its
 * snapshot). `viewerTeamId`: a member's team, who is not shown another team's ownership.
 */
export function explainJobDay(
  job: JobResponse,
  day: string,
  cell: JobDayInCell,
  treatment: IdleMode,
  viewerTeamId: string | undefined,
): CostExplanationResponse {
  const gpuHours = Number(cell.gpuHours);
  const cellHours = Number(cell.cellGpuHours);
  const capacityHours = cell.capacityGpuHours === null ? null : Number(cell.capacityGpuHours);
  const rule: CellRule =
    cell.snapshotCostUsd === null
      ? 'unpriced'
      : capacityHours === null
        ? 'usage'
        : cellHours > capacityHours
          ? 'over_capacity'
          : 'capacity';
  const [allocatedUsd, idleUsd] = roundedParts(cell.cellAllocatedUsd, cell.cellIdleUsd);
  const costUsd = roundCents(cell.costUsd);
  const price = round(Number(cell.rate), 6);
  const ownerVisible = cell.ownerTeamId !== null && (viewerTeamId === undefined || viewerTeamId === cell.ownerTeamId);
  const where = `${job.provider}/${job.gpu_type} on ${day}`;
  const intervalStart = Math.max(Date.parse(job.start_time), Date.parse(`${day}T00:00:00Z`));
  const intervalEnd =
    job.end_time === null
      ? intervalStart + Math.round((gpuHours / job.gpu_count) * HOUR_MS)
      : Math.min(Date.parse(job.end_time), Date.parse(`${day}T00:00:00Z`) + DAY_MS);

  const ruleDescription = {
    capacity:
      `${where}: ${capacityHours! / 24} GPUs of capacity (${capacityHours} GPU-hours), ${round(cellHours, 4)} of them ` +
      `used. Each GPU-hour costs the snapshot ${usd(Number(cell.snapshotCostUsd))} ÷ ${capacityHours} = $${price}; ` +
      `the unused GPU-hours (${usd(idleUsd)}) are idle.`,
    over_capacity:
      `${where}: jobs used ${round(cellHours, 4)} GPU-hours, more than the capacity of ${capacityHours}, so the ` +
      `snapshot ${usd(Number(cell.snapshotCostUsd))} is split by GPU-hours ($${price} each) and nothing is idle.`,
    usage:
      `${where}: no capacity is declared, so the snapshot ${usd(Number(cell.snapshotCostUsd))} is split among the ` +
      `cell's jobs by GPU-hours ($${price} each).`,
    unpriced: `${where}: no cost snapshot yet, so the job's ${round(gpuHours, 4)} GPU-hours are unpriced (cost 0).`,
  }[rule];

  return {
    job_id: job.job_id,
    day,
    rule,
    rule_description: ruleDescription,
    cell: {
      day,
      provider: job.provider,
      gpu_type: job.gpu_type,
      snapshot_cost_usd: cell.snapshotCostUsd === null ? null : roundCents(cell.snapshotCostUsd),
      capacity:
        cell.capacityId === null
          ? null
          : {
              capacity_id: cell.capacityId,
              gpu_count: capacityHours! / 24,
              gpu_hours: capacityHours!,
              owner_team_id: ownerVisible ? cell.ownerTeamId : null,
              owner_team_name: ownerVisible ? cell.ownerTeamName : null,
            },
      gpu_hours_used: round(cellHours, 4),
      job_count: cell.cellJobCount,
      price_per_gpu_hour: price,
      allocated_usd: allocatedUsd,
      idle_usd: idleUsd,
    },
    job: {
      job_id: job.job_id,
      team_id: job.team_id,
      team_name: job.team_name,
      model_name: job.model_name,
      interval_start: new Date(intervalStart).toISOString(),
      interval_end: new Date(intervalEnd).toISOString(),
      gpu_count: job.gpu_count,
      gpu_hours: round(gpuHours, 4),
      share: round(gpuHours / cellHours, 6),
      cost_usd: costUsd,
      gpu_utilization: job.gpu_utilization,
      // The job-day's used cost as the reports sum it (its cost × utilization, to 10⁻¹² $).
      used_cost_usd: cell.usedCostUsd === null ? null : roundCents(cell.usedCostUsd),
    },
    idle: idleTreatment(treatment, cell, { costUsd, idleUsd, ownerVisible }),
  };
}

function idleTreatment(
  treatment: IdleMode,
  cell: JobDayInCell,
  { costUsd, idleUsd, ownerVisible }: { costUsd: number; idleUsd: number; ownerVisible: boolean },
): ExplainedIdle {
  const kept = (description: string): ExplainedIdle => ({
    treatment,
    charged_to: idleUsd > 0 ? 'separate' : 'nobody',
    job_idle_usd: 0,
    job_total_usd: costUsd,
    description: idleUsd > 0 ? description : 'The cell has no idle cost.',
  });
  if (treatment === 'share') {
    if (idleUsd <= 0) return { ...kept(''), charged_to: 'nobody' };
    // The reports round a job's cost with its share as a whole, and its cost alone: the share is the difference.
    const total = roundCents(cell.shareCostUsd);
    return {
      treatment,
      charged_to: 'jobs',
      job_idle_usd: centsApart(total, costUsd),
      job_total_usd: total,
      description: `The cell's ${usd(idleUsd)} of idle is spread over its ${cell.cellJobCount} job(s) by their cost there.`,
    };
  }
  if (treatment === 'owner' && cell.ownerTeamId !== null && idleUsd > 0) {
    return {
      treatment,
      charged_to: 'owner',
      job_idle_usd: 0,
      job_total_usd: costUsd,
      owner_team_id: ownerVisible ? cell.ownerTeamId : null,
      owner_team_name: ownerVisible ? cell.ownerTeamName : null,
      description: `The cell's ${usd(idleUsd)} of idle is charged to ${
        ownerVisible ? `team ${cell.ownerTeamName}` : 'another team'
      }, which owns the capacity; the job pays its GPU-hours only.`,
    };
  }
  return kept(
    treatment === 'owner'
      ? `The capacity has no owner: the cell's ${usd(idleUsd)} of idle stays its own total; the job pays its GPU-hours only.`
      : `The cell's ${usd(idleUsd)} of idle stays its own total; the job pays its GPU-hours only.`,
  );
}
