import { formatUsd } from '../format';
import { useApi } from '../use-api';
import type { AnomalyRow } from '../types';
import { Answer, Panel } from './common';

const SHOWN = 8;

/** The most recent days on which a team's cost on a GPU type left its usual weekday level. */
export function Anomalies(props: { start: string; end: string; teamId?: string }) {
  const anomalies = useApi<{ rows: AnomalyRow[]; total: number }>('/analytics/anomalies', {
    start: props.start,
    end: props.end,
    team_id: props.teamId,
  });
  return (
    <Panel id="anomalies" title="Recent anomalies">
      <Answer loaded={anomalies} what="anomalies">
        {({ rows, total }) => {
          const recent = [...rows].sort((a, b) => b.day.localeCompare(a.day) || b.score - a.score).slice(0, SHOWN);
          if (!recent.length) return <p class="empty">No unusual day in this range.</p>;
          return (
            <ul class="anomalies" data-testid="anomalies">
              {recent.map((a) => (
                <li key={`${a.day}-${a.team_id}-${a.provider}-${a.gpu_type}`}>
                  <strong>{a.day}</strong> {a.team_name}, {a.provider} {a.gpu_type}: {formatUsd(a.cost_usd)} against{' '}
                  {formatUsd(a.expected_usd)} expected{' '}
                  <span class={a.direction === 'up' ? 'change-up' : 'change-down'}>
                    ({a.direction === 'up' ? '▲ up' : '▼ down'}, {a.score.toFixed(1)} deviations)
                  </span>
                </li>
              ))}
              {total > recent.length && <li class="hint">and {total - recent.length} more in the range.</li>}
            </ul>
          );
        }}
      </Answer>
    </Panel>
  );
}
