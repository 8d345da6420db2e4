import type { RuleKind } from '../alerts.entities';

/** An enabled rule, as evaluation reads it. */
export interface RuleToEvaluate {
  id: string;
  name: string;
  kind: RuleKind;
  thresholds_pct: number[];
  /** null: every team. */
  team_id: string | null;
}

/** A team's spend (or forecast) for a month, beside its budget. */
export interface TeamMonthAmount {
  team_id: string;
  team_name: string;
  /** `YYYY-MM` */
  month: string;
  budget_usd: number | null;
  amount_usd: number;
}

/** One anomalous day of a team on a provider and GPU type (what an AnomalyFinder reports). */
export interface AnomalyRow {
  /** `YYYY-MM-DD` */
  day: string;
  team_id: string;
  team_name: string;
  provider: string;
  gpu_type: string;
  cost_usd: number;
  expected_usd: number;
  score: number;
  direction: 'up' | 'down';
}

/** An event that should exist; inserting it when it already does changes nothing. */
export interface Candidate {
  rule_id: string;
  kind: RuleKind;
  team_id: string;
  period: string;
  threshold_pct: number | null;
  provider: string | null;
  gpu_type: string | null;
  value_usd: number;
  budget_usd: number | null;
  expected_usd: number | null;
  message: string;
}

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const cents = (usdAmount: number) => Math.round(usdAmount * 100);

const appliesTo = (rule: RuleToEvaluate, teamId: string) => rule.team_id === null || rule.team_id === teamId;

/**
 * Every threshold a team's amount has reached: for `budget_actual` the month's spend, for
 * `budget_forecast` its forecast. Compared in whole cents (amount × 100 ≥ budget × threshold),
 * so exactly 80 % of the budget crosses 80 %. Teams without a budget (null or 0) never fire.
 */
export function budgetCandidates(
  rules: RuleToEvaluate[],
  amounts: TeamMonthAmount[],
  kind: 'budget_actual' | 'budget_forecast',
): Candidate[] {
  const out: Candidate[] = [];
  for (const rule of rules) {
    if (rule.kind !== kind) continue;
    for (const a of amounts) {
      if (!appliesTo(rule, a.team_id) || a.budget_usd === null || a.budget_usd <= 0) continue;
      const pct = (a.amount_usd / a.budget_usd) * 100;
      for (const threshold of rule.thresholds_pct) {
        if (cents(a.amount_usd) * 100 < cents(a.budget_usd) * threshold) continue;
        const verb = kind === 'budget_actual' ? 'has spent' : 'is forecast to spend';
        out.push({
          rule_id: rule.id,
          kind,
          team_id: a.team_id,
          period: a.month,
          threshold_pct: threshold,
          provider: null,
          gpu_type: null,
          value_usd: a.amount_usd,
          budget_usd: a.budget_usd,
          expected_usd: null,
          message:
            `${a.team_name} ${verb} ${usd.format(a.amount_usd)} of its ${usd.format(a.budget_usd)} budget ` +
            `for ${a.month} (${pct.toFixed(1)} %), reaching the ${threshold} % threshold of rule "${rule.name}".`,
        });
      }
    }
  }
  return out;
}

/** Every anomaly a rule watches: one candidate per rule, team, day, provider and GPU type. */
export function anomalyCandidates(rules: RuleToEvaluate[], anomalies: AnomalyRow[]): Candidate[] {
  const out: Candidate[] = [];
  for (const rule of rules) {
    if (rule.kind !== 'anomaly') continue;
    for (const a of anomalies) {
      if (!appliesTo(rule, a.team_id)) continue;
      out.push({
        rule_id: rule.id,
        kind: 'anomaly',
        team_id: a.team_id,
        period: a.day,
        threshold_pct: null,
        provider: a.provider,
        gpu_type: a.gpu_type,
        value_usd: a.cost_usd,
        budget_usd: null,
        expected_usd: a.expected_usd,
        message:
          `${a.team_name} spent ${usd.format(a.cost_usd)} on ${a.provider} ${a.gpu_type} on ${a.day}, ` +
          `${a.direction === 'up' ? 'above' : 'below'} the ${usd.format(a.expected_usd)} expected ` +
          `(score ${a.score.toFixed(1)}; rule "${rule.name}").`,
      });
    }
  }
  return out;
}
