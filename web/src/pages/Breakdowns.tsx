import { Answer, Panel } from '../components/common';
import { Downloads } from '../components/Downloads';
import { Column, SortableTable } from '../components/SortableTable';
import { Totals } from '../components/Totals';
import { formatCount, formatNumber, formatUsd } from '../format';
import type { CostReport, CostRow } from '../types';
import { useApi } from '../use-api';
import { changeView, useApp } from '../view';

const measures: Column<CostRow>[] = [
  { key: 'cost', label: 'Cost', numeric: true, value: (r) => r.cost_usd, render: (r) => formatUsd(r.cost_usd) },
  {
    key: 'hours',
    label: 'GPU-hours',
    numeric: true,
    value: (r) => r.gpu_hours,
    render: (r) => formatNumber(r.gpu_hours),
  },
  {
    key: 'unpriced',
    label: 'Unpriced GPU-hours',
    numeric: true,
    value: (r) => r.unpriced_gpu_hours,
    render: (r) => formatNumber(r.unpriced_gpu_hours),
  },
  { key: 'jobs', label: 'Jobs', numeric: true, value: (r) => r.job_count, render: (r) => formatCount(r.job_count) },
];

/**
 * Cost per team and per model. A name is a button that filters the rest of the page to it (the
 * other table and the totals; the filter then holds on the overview and the jobs too); pressed
 * again, it lifts the filter.
 */
export function Breakdowns() {
  const { view, route } = useApp();
  const range = { start: view.start, end: view.end };
  const teams = useApi<CostReport>('/analytics/cost', { ...range, group_by: 'team', model_name: view.model_name });
  const models = useApi<CostReport>('/analytics/cost', { ...range, group_by: 'model', team_id: view.team_id });
  const both = useApi<CostReport>('/analytics/cost', {
    ...range,
    group_by: 'month',
    team_id: view.team_id,
    model_name: view.model_name,
  });
  const filterButton = (label: string, pressed: boolean, apply: () => void) => (
    <button type="button" class="link-button" aria-pressed={pressed} onClick={apply}>
      {label}
    </button>
  );
  const teamColumns: Column<CostRow>[] = [
    {
      key: 'team',
      label: 'Team',
      value: (r) => String(r.team_name),
      render: (r) =>
        filterButton(String(r.team_name), view.team_id === r.team_id, () =>
          changeView(route, { ...view, team_id: view.team_id === r.team_id ? undefined : String(r.team_id) }),
        ),
    },
    ...measures,
  ];
  const modelColumns: Column<CostRow>[] = [
    {
      key: 'model',
      label: 'Model',
      value: (r) => String(r.model_name),
      render: (r) =>
        filterButton(String(r.model_name), view.model_name === r.model_name, () =>
          changeView(route, {
            ...view,
            model_name: view.model_name === r.model_name ? undefined : String(r.model_name),
          }),
        ),
    },
    ...measures,
  ];
  return (
    <>
      <Panel
        id="breakdown-totals"
        title="Totals"
        actions={
          <Downloads
            items={[
              {
                label: 'CSV of the teams table',
                path: '/analytics/cost',
                params: { ...range, group_by: 'team', model_name: view.model_name, format: 'csv' },
                fallbackName: `heliox-cost-${view.start}-${view.end}.csv`,
              },
              {
                label: 'CSV of the models table',
                path: '/analytics/cost',
                params: { ...range, group_by: 'model', team_id: view.team_id, format: 'csv' },
                fallbackName: `heliox-cost-${view.start}-${view.end}.csv`,
              },
            ]}
          />
        }
      >
        <Answer loaded={both} what="totals">
          {(report) => <Totals totals={report.totals} filtered={!!(view.team_id || view.model_name)} />}
        </Answer>
      </Panel>
      <div class="columns">
        <Panel id="teams" title="Teams">
          <Answer loaded={teams} what="the cost per team">
            {(report) => (
              <SortableTable
                caption={view.model_name ? `Teams, model ${view.model_name} only` : 'Teams; choose one to filter'}
                columns={teamColumns}
                rows={report.rows}
                rowKey={(r) => String(r.team_id)}
                testId="teams-table"
              />
            )}
          </Answer>
        </Panel>
        <Panel id="models" title="Models">
          <Answer loaded={models} what="the cost per model">
            {(report) => (
              <SortableTable
                caption={view.team_id ? 'Models of the chosen team' : 'Models; choose one to filter'}
                columns={modelColumns}
                rows={report.rows}
                rowKey={(r) => String(r.model_name)}
                testId="models-table"
              />
            )}
          </Answer>
        </Panel>
      </div>
    </>
  );
}
