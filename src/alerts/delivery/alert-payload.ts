import type { ChannelKind, RuleKind } from '../alerts.entities';

/** An event as a delivery sends it: what the worker's claim query returns beside the channel. */
export interface EventForDelivery {
  event_id: string;
  rule_id: string;
  rule_name: string;
  kind: RuleKind;
  team_id: string;
  team_name: string;
  period: string;
  threshold_pct: number | null;
  provider: string | null;
  gpu_type: string | null;
  value_usd: string;
  budget_usd: string | null;
  expected_usd: string | null;
  message: string;
}

/**
 * The body of a delivery. Webhooks get the event as JSON (`threshold_pct` and `budget_usd` only
 * for budget rules; `provider`, `gpu_type` and `expected_usd` only for anomalies); Slack's
 * incoming webhooks take `{text}`.
 */
export function alertBody(channel: ChannelKind, e: EventForDelivery): string {
  if (channel === 'slack') return JSON.stringify({ text: `[Heliox] ${e.message}` });
  const budget = e.kind !== 'anomaly';
  return JSON.stringify({
    event_id: e.event_id,
    rule: { id: e.rule_id, name: e.rule_name },
    kind: e.kind,
    team: { id: e.team_id, name: e.team_name },
    period: e.period,
    ...(budget && e.threshold_pct !== null ? { threshold_pct: e.threshold_pct } : {}),
    value_usd: Number(e.value_usd),
    ...(budget && e.budget_usd !== null ? { budget_usd: Number(e.budget_usd) } : {}),
    ...(budget ? {} : { provider: e.provider, gpu_type: e.gpu_type, expected_usd: Number(e.expected_usd) }),
    message: e.message,
  });
}
