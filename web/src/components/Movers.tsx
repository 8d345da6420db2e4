import { formatChange, formatUsd } from '../format';
import { useApi } from '../use-api';
import type { Dimension, TrendsReport } from '../types';
import { DIMENSIONS } from '../view';
import { Answer, Panel } from './common';

export const groupLabel = (row: Record<string, unknown>, dimension: Dimension): string =>
  String(dimension === 'team' ? row.team_name : dimension === 'model' ? row.model_name : row[dimension]);

/** The groups whose cost moved most against the same number of days just before the range. */
export function Movers(props: { start: string; end: string; group: Dimension; teamId?: string }) {
  const trends = useApi<TrendsReport>('/analytics/trends', {
    start: props.start,
    end: props.end,
    group_by: props.group,
    team_id: props.teamId,
    limit: 5,
  });
  const name = DIMENSIONS.find((d) => d.value === props.group)!.label;
  return (
    <Panel id="movers" title={`Top movers by ${name.toLowerCase()}`}>
      <Answer loaded={trends} what="top movers">
        {(report) => (
          <div class="table-wrap">
            <table data-testid="movers">
              <caption>
                {report.start} to {report.end} against {report.previous_start} to {report.previous_end}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{name}</th>
                  <th scope="col" class="num">
                    This range
                  </th>
                  <th scope="col" class="num">
                    Range before
                  </th>
                  <th scope="col">Change</th>
                </tr>
              </thead>
              <tbody>
                {report.rows.map((row) => (
                  <tr key={groupLabel(row, props.group)}>
                    <th scope="row">{groupLabel(row, props.group)}</th>
                    <td class="num">{formatUsd(row.cost_usd)}</td>
                    <td class="num">{formatUsd(row.previous_cost_usd)}</td>
                    <td class={row.change_usd > 0 ? 'change-up' : row.change_usd < 0 ? 'change-down' : undefined}>
                      {formatChange(row.change_usd, row.change_pct)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {report.rows.length === 0 && <p class="empty">No cost in either range.</p>}
          </div>
        )}
      </Answer>
    </Panel>
  );
}
