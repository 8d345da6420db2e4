/** `no_budget`: the team has no monthly budget to compare against. */
export type BudgetStatus = 'ok' | 'warning' | 'over' | 'no_budget';

/** Share of the budget, spent or forecast, from which a team is warned. */
const WARNING_SHARE = 0.8;

/**
 * Run-rate forecast: the spend per day that has data (a snapshot or usage), times the days of
 * the month. A month with every day in hand forecasts its spend.
 */
export function forecastMonth(spend: number, daysWithData: number, daysInMonth: number): number {
  if (daysWithData <= 0) return spend;
  return Math.round((spend / daysWithData) * daysInMonth * 100) / 100;
}

/** over: spent more than the budget; warning: spent or forecast at least 80 % of it. */
export function budgetStatus(spend: number, forecast: number, budget: number | null): BudgetStatus {
  if (budget === null) return 'no_budget';
  if (spend > budget) return 'over';
  if (spend >= WARNING_SHARE * budget || forecast >= WARNING_SHARE * budget) return 'warning';
  return 'ok';
}
