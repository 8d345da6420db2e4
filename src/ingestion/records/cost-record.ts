import type { Normalised } from './job-record';
import { MAX_CODE_LENGTH } from '../../common/text-limits';
import { RecordReader } from './record-reader';
import type { TimeBounds } from './time-bounds';

export const COST_FIELDS = ['entry_date', 'provider', 'gpu_type', 'cost_usd'] as const;
export const REQUIRED_COST_FIELDS = [...COST_FIELDS];

/** numeric(14,4) holds up to 9,999,999,999.9999. */
const MAX_COST_USD = 9_999_999_999;

/** What a provider billed for one GPU type on one UTC day. */
export interface CostRecord {
  entryDate: string;
  provider: string;
  gpuType: string;
  /** Decimal text: money never passes through a float. */
  costUsd: string;
}

export function costKey(r: Pick<CostRecord, 'entryDate' | 'provider' | 'gpuType'>): string {
  return `${r.entryDate}/${r.provider}/${r.gpuType}`;
}

export function normaliseCost(raw: unknown, bounds: TimeBounds): Normalised<CostRecord> {
  const reader = RecordReader.open(raw, COST_FIELDS);
  if (!(reader instanceof RecordReader)) return { ok: false, key: null, issues: [reader] };

  const entryDate = reader.date('entry_date', { required: true });
  const provider = reader.text('provider', { required: true, maxLength: MAX_CODE_LENGTH, lowerCase: true });
  const gpuType = reader.text('gpu_type', { required: true, maxLength: MAX_CODE_LENGTH, lowerCase: true });
  // The column keeps 4 decimals: a finer amount is refused rather than rounded unsaid.
  const costUsd = reader.decimal('cost_usd', { required: true, min: 0, max: MAX_COST_USD, maxDecimals: 4 });
  // A snapshot is a day's bill: not before the jobs it could pay for, and not of a day still to come.
  if (entryDate !== null && entryDate < bounds.floorDay) {
    reader.reject('entry_date', `entry_date must be on or after ${bounds.floorDay} (JOB_START_FLOOR)`);
  } else if (entryDate !== null && entryDate > bounds.latestDay) {
    reader.reject('entry_date', `entry_date must be ${bounds.latestDay} (tomorrow, UTC) or earlier`);
  }

  if (!reader.ok) {
    const key = entryDate && provider && gpuType ? costKey({ entryDate, provider, gpuType }) : null;
    return { ok: false, key, issues: reader.issues };
  }
  return { ok: true, record: { entryDate: entryDate!, provider: provider!, gpuType: gpuType!, costUsd: costUsd! } };
}
