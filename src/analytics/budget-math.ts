/** `no_budget`: the team has no monthly budget to compare against. */
export type BudgetStatus = 'ok' | 'warning' | 'over' | 'no_budget';

/** Share of the budget, spent or forecast, from which a team is warned. */
const WARNING_SHARE = 0.8;

/**
 * over: spent more than the budget; warning: spent or forecast at least 80 % of it. A budget of 0
 * is over as soon as anything is spent and warned of as soon as anything is forecast: nothing at
 * all is ok, as projectedStatus says.
 */
export function budgetStatus(spend: number, forecast: number, budget: number | null): BudgetStatus {
  if (budget === null) return 'no_budget';
  if (spend > budget) return 'over';
  if (budget === 0) return forecast > 0 ? 'warning' : 'ok';
  if (spend >= WARNING_SHARE * budget || forecast >= WARNING_SHARE * budget) return 'warning';
  return 'ok';
}

/**
 * Where the forecast lands: over at 100 % of the budget or more, warning from 80 %. A budget of 0
 * is over as soon as anything is forecast.
 */
export function projectedStatus(forecast: number, budget: number | null): BudgetStatus {
  if (budget === null) return 'no_budget';
  if (budget === 0) return forecast > 0 ? 'over' : 'ok';
  if (forecast >= budget) return 'over';
  if (forecast >= WARNING_SHARE * budget) return 'warning';
  return 'ok';
}
