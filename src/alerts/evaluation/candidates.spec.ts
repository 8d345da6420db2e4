import { anomalyCandidates, budgetCandidates, RuleToEvaluate, TeamMonthAmount } from './candidates';

const rule = (over: Partial<RuleToEvaluate> = {}): RuleToEvaluate => ({
  id: 'r1',
  name: 'Budgets',
  kind: 'budget_actual',
  thresholds_pct: [50, 80, 100],
  team_id: null,
  ...over,
});
const spend = (amount_usd: number, over: Partial<TeamMonthAmount> = {}): TeamMonthAmount => ({
  team_id: 't1',
  team_name: 'research',
  month: '2026-01',
  budget_usd: 10_000,
  amount_usd,
  ...over,
});

describe('budgetCandidates', () => {
  it('yields every threshold reached, and only those', () => {
    const fired = budgetCandidates([rule()], [spend(8_500)], 'budget_actual');
    expect(fired.map((c) => c.threshold_pct)).toEqual([50, 80]);
    expect(fired[1]).toEqual(
      expect.objectContaining({ team_id: 't1', period: '2026-01', value_usd: 8_500, budget_usd: 10_000 }),
    );
    expect(fired[1].message).toBe(
      'research has spent $8,500.00 of its $10,000.00 budget for 2026-01 (85.0 %), reaching the 80 % threshold of rule "Budgets".',
    );
  });

  it('counts exactly the threshold as reached, a cent less as not', () => {
    expect(budgetCandidates([rule()], [spend(8_000)], 'budget_actual').map((c) => c.threshold_pct)).toEqual([50, 80]);
    expect(budgetCandidates([rule()], [spend(7_999.99)], 'budget_actual').map((c) => c.threshold_pct)).toEqual([50]);
  });

  it('skips teams without a budget, other teams than the rule names, and rules of another kind', () => {
    expect(budgetCandidates([rule()], [spend(5_000, { budget_usd: null })], 'budget_actual')).toEqual([]);
    expect(budgetCandidates([rule()], [spend(5_000, { budget_usd: 0 })], 'budget_actual')).toEqual([]);
    expect(budgetCandidates([rule({ team_id: 't2' })], [spend(9_000)], 'budget_actual')).toEqual([]);
    expect(budgetCandidates([rule({ kind: 'budget_forecast' })], [spend(9_000)], 'budget_actual')).toEqual([]);
  });

  it('words a forecast as a forecast', () => {
    const [fired] = budgetCandidates(
      [rule({ kind: 'budget_forecast', thresholds_pct: [100] })],
      [spend(12_000)],
      'budget_forecast',
    );
    expect(fired.message).toMatch(/^research is forecast to spend \$12,000\.00 of its \$10,000\.00 budget/);
  });
});

describe('anomalyCandidates', () => {
  it('yields one candidate per anomaly of a watched team, keyed by day, provider and GPU type', () => {
    const anomaly = {
      day: '2026-01-05',
      team_id: 't1',
      team_name: 'research',
      provider: 'aws',
      gpu_type: 'h100',
      cost_usd: 900,
      expected_usd: 100,
      score: 12.34,
      direction: 'up' as const,
    };
    const fired = anomalyCandidates(
      [rule({ kind: 'anomaly', thresholds_pct: [] }), rule({ kind: 'anomaly', id: 'r2', team_id: 't9' })],
      [anomaly],
    );
    expect(fired).toEqual([
      expect.objectContaining({
        rule_id: 'r1',
        period: '2026-01-05',
        provider: 'aws',
        gpu_type: 'h100',
        value_usd: 900,
        expected_usd: 100,
        threshold_pct: null,
      }),
    ]);
    expect(fired[0].message).toBe(
      'research spent $900.00 on aws h100 on 2026-01-05, above the $100.00 expected (score 12.3; rule "Budgets").',
    );
  });
});
