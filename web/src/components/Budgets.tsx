import { formatPct, formatUsd } from '../format';
import { useApi } from '../use-api';
import type { BudgetReport, ForecastReport } from '../types';
import { Answer, ErrorNote, Panel, StatusBadge } from './common';

const monthName = (month: string) =>
  new Date(`${month}-01T00:00:00Z`).toLocaleDateString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/**
 * Spend against each team's monthly budget in the month the range ends in, with the month-end
 * forecast and its interval. The bar's width is the share used; its text says the same.
 */
export function Budgets({ month, teamId }: { month: string; teamId?: string }) {
  const budgets = useApi<BudgetReport>('/analytics/budgets', { month });
  const forecast = useApi<ForecastReport>('/analytics/forecast', { month, team_id: teamId });
  return (
    <Panel id="budgets" title={`Budgets: ${monthName(month)}`}>
      <Answer loaded={budgets} what="budgets">
        {(report) => {
          const rows = report.teams.filter((t) => !teamId || t.team_id === teamId);
          const intervals = new Map(forecast.data?.teams.map((f) => [f.team_id, f]));
          return (
            <div class="table-wrap">
              <table data-testid="budgets">
                <caption>
                  The month the range ends in; {report.days_with_data} of {report.days_in_month} days have data.
                  {forecast.data && ` Known costs end on ${forecast.data.as_of}; the forecast predicts the rest.`}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Team</th>
                    <th scope="col" class="num">
                      Budget
                    </th>
                    <th scope="col" class="num">
                      Spent
                    </th>
                    <th scope="col">Used</th>
                    <th scope="col" class="num">
                      Month-end forecast
                    </th>
                    <th scope="col">Forecast interval</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((row) => {
                    const f = intervals.get(row.team_id);
                    const pct = row.pct_used ?? 0;
                    return (
                      <tr key={row.team_id}>
                        <th scope="row">{row.team_name}</th>
                        <td class="num">{row.budget_usd === null ? 'None' : formatUsd(row.budget_usd)}</td>
                        <td class="num">{formatUsd(row.spend_usd)}</td>
                        <td>
                          {row.pct_used === null ? (
                            'No budget'
                          ) : (
                            <div class="meter">
                              <div
                                class={`meter-bar meter-${row.status}`}
                                role="progressbar"
                                aria-label={`${row.team_name}: share of the budget spent`}
                                aria-valuemin={0}
                                aria-valuemax={100}
                                aria-valuenow={Math.min(pct, 100)}
                                aria-valuetext={formatPct(pct)}
                              >
                                <span class="meter-fill" style={{ width: `${Math.min(pct, 100)}%` }} />
                              </div>
                              <span>{formatPct(pct)}</span>
                            </div>
                          )}
                        </td>
                        <td class="num">{formatUsd(row.forecast_usd)}</td>
                        <td>
                          {f
                            ? `${formatUsd(f.forecast_low_usd)} – ${formatUsd(f.forecast_high_usd)} (${Math.round(f.interval * 100)} %)`
                            : forecast.error
                              ? 'Unavailable'
                              : 'Loading…'}
                        </td>
                        <td>
                          <StatusBadge status={row.status} />
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
              {rows.length === 0 && <p class="empty">No team to show.</p>}
              {forecast.error && <ErrorNote message={`The forecast interval could not be read. ${forecast.error}`} />}
            </div>
          );
        }}
      </Answer>
    </Panel>
  );
}
