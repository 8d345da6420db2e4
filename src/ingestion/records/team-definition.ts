import { MAX_NAME_LENGTH } from '../../common/text-limits';
import { MAX_DESCRIPTION_LENGTH, RecordIssue, RecordReader } from './record-reader';

const TEAM_FIELDS = ['name', 'description', 'budget_usd'] as const;

/** numeric(14,2) holds up to 999,999,999,999.99. */
const MAX_BUDGET_USD = 999_999_999_999;

/** A team as a jobs payload describes it (`{"teams": [...]}`). */
export interface TeamDefinition {
  name: string;
  description: string | null;
  budget_usd: number | null;
}

export function normaliseTeam(raw: unknown): { ok: true; team: TeamDefinition } | { ok: false; issues: RecordIssue[] } {
  const reader = RecordReader.open(raw, TEAM_FIELDS);
  if (!(reader instanceof RecordReader)) return { ok: false, issues: [reader] };
  const name = reader.text('name', { required: true, maxLength: MAX_NAME_LENGTH });
  const description = reader.text('description', { required: false, maxLength: MAX_DESCRIPTION_LENGTH });
  // Cents, as PATCH /teams takes it: a finer budget is refused rather than rounded unsaid.
  const budget = reader.decimal('budget_usd', { required: false, min: 0, max: MAX_BUDGET_USD, maxDecimals: 2 });
  if (!reader.ok) return { ok: false, issues: reader.issues };
  return { ok: true, team: { name: name!, description, budget_usd: budget === null ? null : Number(budget) } };
}
