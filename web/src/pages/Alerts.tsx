import { Answer, Panel } from '../components/common';
import { formatTime, formatUsd } from '../format';
import type { AlertDelivery, AlertEvent, AlertRule } from '../types';
import { useApi } from '../use-api';
import { useApp } from '../view';

const LIMIT = 50;

/** Alert rules, the events they fired and the deliveries of those events (admins). */
export function Alerts() {
  const { teamNames } = useApp();
  const rules = useApi<{ rules: AlertRule[] }>('/alerts/rules', { limit: LIMIT });
  const events = useApi<{ events: AlertEvent[] }>('/alerts/events', { limit: LIMIT });
  const deliveries = useApi<{ deliveries: AlertDelivery[] }>('/alerts/deliveries', { limit: LIMIT });
  return (
    <>
      <Panel id="rules" title="Rules">
        <Answer loaded={rules} what="alert rules">
          {({ rules: list }) =>
            list.length === 0 ? (
              <p class="empty">No alert rule yet. Rules are made through the API (POST /api/v1/alerts/rules).</p>
            ) : (
              <div class="table-wrap">
                <table data-testid="rules-table">
                  <caption>Oldest first</caption>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Kind</th>
                      <th scope="col">Thresholds</th>
                      <th scope="col">Team</th>
                      <th scope="col">Enabled</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((rule) => (
                      <tr key={rule.id}>
                        <th scope="row">{rule.name}</th>
                        <td>{rule.kind.replace('_', ' ')}</td>
                        <td>
                          {rule.thresholds_pct.length ? rule.thresholds_pct.map((t) => `${t} %`).join(', ') : '—'}
                        </td>
                        <td>{rule.team_id ? (teamNames.get(rule.team_id) ?? rule.team_id) : 'Every team'}</td>
                        <td>{rule.enabled ? 'Yes' : 'No (paused)'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </Answer>
      </Panel>
      <Panel id="events" title="Events fired">
        <Answer loaded={events} what="alert events">
          {({ events: list }) =>
            list.length === 0 ? (
              <p class="empty">No alert has fired.</p>
            ) : (
              <ul class="events" data-testid="events">
                {list.map((e) => (
                  <li key={e.id}>
                    <strong>{formatTime(e.fired_at)}</strong> {e.rule_name} ({e.team_name}, {e.period}):{' '}
                    {formatUsd(e.value_usd)}. {e.message}
                  </li>
                ))}
              </ul>
            )
          }
        </Answer>
      </Panel>
      <Panel id="deliveries" title="Deliveries">
        <Answer loaded={deliveries} what="deliveries">
          {({ deliveries: list }) =>
            list.length === 0 ? (
              <p class="empty">Nothing delivered yet.</p>
            ) : (
              <div class="table-wrap">
                <table data-testid="deliveries-table">
                  <caption>Newest first</caption>
                  <thead>
                    <tr>
                      <th scope="col">Created</th>
                      <th scope="col">Channel</th>
                      <th scope="col">Status</th>
                      <th scope="col" class="num">
                        Attempts
                      </th>
                      <th scope="col">Last error</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((d) => (
                      <tr key={d.id}>
                        <th scope="row">{formatTime(d.created_at)}</th>
                        <td>{d.channel_name}</td>
                        <td>{d.status === 'delivered' ? `delivered ${formatTime(d.delivered_at)}` : d.status}</td>
                        <td class="num">{d.attempts}</td>
                        <td>{d.last_error ?? '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </Answer>
      </Panel>
    </>
  );
}
