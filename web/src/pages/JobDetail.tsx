import { Answer, Panel } from '../components/common';
import { formatHours, formatNumber, formatTime, formatUsd } from '../format';
import { hrefFor } from '../router';
import type { JobDetail as Detail } from '../types';
import { useApi } from '../use-api';
import { useApp, viewQuery } from '../view';

/** One job: what it ran on, when, and its allocated cost on each UTC day it used GPUs. */
export function JobDetail({ jobId }: { jobId: string }) {
  const { view } = useApp();
  const job = useApi<Detail>(`/jobs/${encodeURIComponent(jobId)}`);
  return (
    <>
      <p>
        <a href={hrefFor('jobs', viewQuery(view))}>← All jobs</a>
      </p>
      <Panel id="job" title={`Job ${jobId}`}>
        <Answer loaded={job} what="the job">
          {(j) => {
            const total = Math.round(j.daily_costs.reduce((sum, d) => sum + d.cost_usd * 100, 0)) / 100;
            const facts: [string, string][] = [
              ['Team', j.team_name],
              ['Model', j.model_name],
              ['Provider', j.provider],
              ['GPU type', j.gpu_type],
              ['GPUs', String(j.gpu_count)],
              ['Start', formatTime(j.start_time)],
              ['End', j.end_time ? formatTime(j.end_time) : 'still running'],
              ['Status', j.status],
              ['GPU-hours', formatHours(j.gpu_hours)],
              ['Allocated cost', formatUsd(total)],
            ];
            return (
              <>
                <dl class="facts">
                  {facts.map(([name, value]) => (
                    <div key={name}>
                      <dt>{name}</dt>
                      <dd>{value}</dd>
                    </div>
                  ))}
                </dl>
                <div class="table-wrap">
                  <table data-testid="job-days">
                    <caption>Allocated cost per UTC day</caption>
                    <thead>
                      <tr>
                        <th scope="col">Day</th>
                        <th scope="col" class="num">
                          GPU-hours
                        </th>
                        <th scope="col" class="num">
                          Cost
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {j.daily_costs.map((d) => (
                        <tr key={d.date}>
                          <th scope="row">{d.date}</th>
                          <td class="num">{formatNumber(d.gpu_hours)}</td>
                          <td class="num">{formatUsd(d.cost_usd)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  {j.daily_costs.length === 0 && <p class="empty">No GPU usage recorded yet.</p>}
                </div>
              </>
            );
          }}
        </Answer>
      </Panel>
    </>
  );
}
