import { Anomalies } from '../components/Anomalies';
import { Budgets } from '../components/Budgets';
import { Answer, Loading, Panel } from '../components/common';
import { ChartSeries, CostChart } from '../components/CostChart';
import { Downloads } from '../components/Downloads';
import { groupLabel, Movers } from '../components/Movers';
import { Totals } from '../components/Totals';
import { addDays, daysInRange } from '../dates';
import { formatUsd } from '../format';
import { OTHER_COLOUR, SERIES_COLOURS } from '../palette';
import type { CostReport, CostRow, Dimension } from '../types';
import { useApi } from '../use-api';
import { changeView, DIMENSIONS, useApp, View } from '../view';

const groupKey = (row: CostRow, dimension: Dimension) =>
  dimension === 'team' ? String(row.team_id) : groupLabel(row, dimension);

interface LegendEntry extends ChartSeries {
  key: string;
  total: number;
}

/**
 * The series of the chart: the costliest groups of the range each in a colour of its own, the
 * rest summed as "Other". Each entry's total is the API's own rounded total of the group.
 */
function seriesOf(view: View, perDay: CostReport, perGroup: CostReport): { days: string[]; legend: LegendEntry[] } {
  const days = Array.from({ length: daysInRange(view.start, view.end) }, (_, i) => addDays(view.start, i));
  const dayIndex = new Map(days.map((day, i) => [day, i]));
  const shown = perGroup.rows.slice(0, SERIES_COLOURS.length);
  const rest = perGroup.rows.slice(SERIES_COLOURS.length);
  const legend: LegendEntry[] = shown.map((row, i) => ({
    key: groupKey(row, view.group),
    label: groupLabel(row, view.group),
    colour: SERIES_COLOURS[i],
    values: days.map(() => 0),
    total: row.cost_usd,
  }));
  if (rest.length)
    legend.push({
      key: '__other__',
      label: `Other (${rest.length} more)`,
      colour: OTHER_COLOUR,
      values: days.map(() => 0),
      total: Math.round(rest.reduce((sum, row) => sum + row.cost_usd * 100, 0)) / 100,
    });
  const byKey = new Map(legend.map((entry) => [entry.key, entry]));
  for (const row of perDay.rows) {
    const entry = byKey.get(groupKey(row, view.group)) ?? byKey.get('__other__');
    const i = dayIndex.get(String(row.day));
    if (entry && i !== undefined) entry.values[i] += row.cost_usd;
  }
  return { days, legend };
}

export function Overview() {
  const { view, route } = useApp();
  const filters = { start: view.start, end: view.end, team_id: view.team_id, model_name: view.model_name };
  const perDay = useApi<CostReport>('/analytics/cost', { ...filters, group_by: `day,${view.group}` });
  const perGroup = useApi<CostReport>('/analytics/cost', { ...filters, group_by: view.group });
  const groupName = DIMENSIONS.find((d) => d.value === view.group)!.label.toLowerCase();
  const chartKey = JSON.stringify(filters) + view.group;
  const filtered = !!(view.team_id || view.model_name);
  // The panels below the chart ask once the chart's calls have answered (or failed): the browser
  // and the API then spend the first moments on what the page is opened for.
  const settled = !perDay.loading && !perGroup.loading;
  return (
    <>
      <Panel
        id="cost"
        title="Cost over time"
        actions={
          <Downloads
            items={[
              {
                label: 'CSV of this view',
                path: '/analytics/cost',
                params: { ...filters, group_by: `day,${view.group}`, format: 'csv' },
                fallbackName: `heliox-cost-${view.start}-${view.end}.csv`,
              },
              {
                label: 'FOCUS export of the range',
                path: '/analytics/cost/export',
                params: { start: view.start, end: view.end, format: 'focus' },
                fallbackName: `heliox-focus-${view.start}-${view.end}.csv`,
              },
            ]}
          />
        }
      >
        <Answer loaded={perDay} what="totals">
          {(report) => <Totals totals={report.totals} filtered={filtered} />}
        </Answer>
        <fieldset class="group-switch">
          <legend>Stack the cost by</legend>
          {DIMENSIONS.map((d) => (
            <label key={d.value}>
              <input
                type="radio"
                name="group"
                value={d.value}
                checked={view.group === d.value}
                onChange={() => changeView(route, { ...view, group: d.value })}
              />
              {d.label}
            </label>
          ))}
        </fieldset>
        <Answer loaded={perDay} what="the cost per day">
          {(days) => (
            <Answer loaded={perGroup} what={`the cost per ${groupName}`}>
              {(groups) => {
                const { days: axis, legend } = seriesOf(view, days, groups);
                return (
                  <>
                    <CostChart
                      days={axis}
                      series={legend}
                      chartKey={chartKey}
                      caption={`Cost per day by ${groupName}, ${view.start} to ${view.end} (UTC)`}
                    />
                    <ul class="legend" data-testid="legend" aria-label={`Cost per ${groupName} in the range`}>
                      {legend.map((entry) => (
                        <li key={entry.key} data-series={entry.label}>
                          <span class="swatch" style={{ background: entry.colour }} aria-hidden="true" />
                          <span class="legend-name">{entry.label}</span>{' '}
                          <span class="legend-value">{formatUsd(entry.total)}</span>
                        </li>
                      ))}
                      {legend.length === 0 && <li>No cost in this range.</li>}
                    </ul>
                  </>
                );
              }}
            </Answer>
          )}
        </Answer>
      </Panel>
      {settled ? (
        <>
          <Budgets month={view.end.slice(0, 7)} teamId={view.team_id} />
          <div class="columns">
            <Movers start={view.start} end={view.end} group={view.group} teamId={view.team_id} />
            <Anomalies start={view.start} end={view.end} teamId={view.team_id} />
          </div>
        </>
      ) : (
        <Loading what="budgets, movers and anomalies" />
      )}
    </>
  );
}
