import type { Normalised } from './job-record';
import { MAX_CODE_LENGTH } from '../../common/text-limits';
import { RecordReader } from './record-reader';

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

export function normaliseCost(raw: unknown): Normalised<CostRecord> {
  const reader = RecordReader.open(raw, COST_FIELDS);
  if (!(reader instanceof RecordReader)) return { ok: false, key: null, issues: [reader] };

  const entryDate = reader.date('entry_date', { required: true });
  const provider = reader.text('provider', { required: true, maxLength: MAX_CODE_LENGTH, lowerCase: true });
  const gpuType = reader.text('gpu_type', { required: true, maxLength: MAX_CODE_LENGTH, lowerCase: true });
  const costUsd = reader.decimal('cost_usd', { required: true, min: 0, max: MAX_COST_USD });

  if (!reader.ok) {
    const key = entryDate && provider && gpuType ? costKey({ entryDate, provider, gpuType }) : null;
    return { ok: false, key, issues: reader.issues };
  }
  return { ok: true, record: { entryDate: entryDate!, provider: provider!, gpuType: gpuType!, costUsd: costUsd! } };
}
