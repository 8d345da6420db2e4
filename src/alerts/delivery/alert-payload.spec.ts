import { createHmac } from 'node:crypto';
import { alertBody, EventForDelivery } from './alert-payload';
import { signature } from './webhook-sender';

const event: EventForDelivery = {
  event_id: 'e1',
  rule_id: 'r1',
  rule_name: 'Budgets',
  kind: 'budget_actual',
  team_id: 't1',
  team_name: 'research',
  period: '2026-01',
  threshold_pct: 80,
  provider: null,
  gpu_type: null,
  value_usd: '8500.00',
  budget_usd: '10000.00',
  expected_usd: null,
  message: 'research has spent …',
};

describe('alertBody', () => {
  it('sends a webhook the event with its rule, team, threshold and budget', () => {
    expect(JSON.parse(alertBody('webhook', event))).toEqual({
      event_id: 'e1',
      rule: { id: 'r1', name: 'Budgets' },
      kind: 'budget_actual',
      team: { id: 't1', name: 'research' },
      period: '2026-01',
      threshold_pct: 80,
      value_usd: 8500,
      budget_usd: 10000,
      message: 'research has spent …',
    });
  });

  it('sends an anomaly its cell and expectation instead of a threshold and budget', () => {
    const body = JSON.parse(
      alertBody('webhook', {
        ...event,
        kind: 'anomaly',
        period: '2026-01-05',
        threshold_pct: null,
        budget_usd: null,
        provider: 'aws',
        gpu_type: 'h100',
        expected_usd: '120.00',
      }),
    );
    expect(body).toEqual(expect.objectContaining({ provider: 'aws', gpu_type: 'h100', expected_usd: 120 }));
    expect(body).not.toHaveProperty('threshold_pct');
    expect(body).not.toHaveProperty('budget_usd');
  });

  it('sends Slack a text', () => {
    expect(JSON.parse(alertBody('slack', event))).toEqual({ text: '[Heliox] research has spent …' });
  });
});

describe('signature', () => {
  it('is the hex HMAC-SHA256 of "<timestamp>.<body>" with the secret', () => {
    const expected = createHmac('sha256', 'secret').update('1767225600.{"a":1}').digest('hex');
    expect(signature('secret', '1767225600', '{"a":1}')).toBe(`sha256=${expected}`);
  });
});
