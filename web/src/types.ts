/** The shapes of the API's answers the page reads (the OpenAPI document at /api/docs-json is the contract). */

type Role = 'admin' | 'member';

export interface Me {
  id: string;
  email: string;
  role: Role;
  team: { id: string; name: string } | null;
}

export interface LoginAnswer {
  access_token: string;
  expires_in: number;
}

export interface Coverage {
  first_snapshot_day: string | null;
  last_snapshot_day: string | null;
}

export type Dimension = 'team' | 'model' | 'provider' | 'gpu_type';

export type CostRow = Record<string, string | number> & {
  cost_usd: number;
  gpu_hours: number;
  unpriced_gpu_hours: number;
  job_count: number;
};

export interface CostReport {
  start_date: string;
  end_date: string;
  rows: CostRow[];
  totals: {
    allocated_usd: number;
    unallocated_usd: number;
    total_usd: number;
    gpu_hours: number;
    unpriced_gpu_hours: number;
  };
}

export type BudgetStatus = 'ok' | 'warning' | 'over' | 'no_budget';

export interface BudgetReport {
  month: string;
  days_in_month: number;
  days_with_data: number;
  teams: {
    team_id: string;
    team_name: string;
    budget_usd: number | null;
    spend_usd: number;
    pct_used: number | null;
    forecast_usd: number;
    status: BudgetStatus;
  }[];
}

export interface ForecastReport {
  month: string;
  as_of: string;
  teams: {
    team_id: string;
    forecast_usd: number;
    forecast_low_usd: number;
    forecast_high_usd: number;
    interval: number;
    projected_status: BudgetStatus;
  }[];
}

export interface TrendsReport {
  start: string;
  end: string;
  previous_start: string;
  previous_end: string;
  rows: (Record<string, string | number | null> & {
    cost_usd: number;
    previous_cost_usd: number;
    change_usd: number;
    change_pct: number | null;
  })[];
}

export interface AnomalyRow {
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

export interface Team {
  id: string;
  name: string;
  budget_usd: number | null;
}

interface Job {
  job_id: string;
  team_id: string;
  team_name: string;
  model_name: string;
  provider: string;
  gpu_type: string;
  gpu_count: number;
  start_time: string;
  end_time: string | null;
  status: string;
  duration_hours: number;
  gpu_hours: number;
}

export interface JobsPage {
  jobs: Job[];
  total: number;
  total_exact: boolean;
  has_more: boolean;
  next_cursor: string | null;
}

export interface JobDetail extends Job {
  daily_costs: { date: string; gpu_hours: number; cost_usd: number }[];
}

export interface IngestionRun {
  id: string;
  kind: string;
  source: string;
  status: string;
  dry_run: boolean;
  started_at: string;
  finished_at: string | null;
  counts: Record<string, Record<string, number>>;
  error_count: number;
  errors: { index: number; job_id: string | null; field: string | null; message: string }[];
  message: string | null;
}

export interface AlertRule {
  id: string;
  name: string;
  kind: string;
  thresholds_pct: number[];
  team_id: string | null;
  channel_id: string;
  enabled: boolean;
}

export interface AlertEvent {
  id: string;
  rule_name: string;
  kind: string;
  team_name: string;
  period: string;
  value_usd: number;
  message: string;
  fired_at: string;
}

export interface AlertDelivery {
  id: string;
  event_id: string;
  channel_name: string;
  status: string;
  attempts: number;
  last_error: string | null;
  delivered_at: string | null;
  created_at: string;
}
