import { useEffect, useState } from 'preact/hooks';
import { Answer, Panel } from '../components/common';
import { formatCount, formatNumber, formatTime } from '../format';
import { hrefFor, navigate } from '../router';
import type { JobsPage, Team } from '../types';
import { useApi } from '../use-api';
import { useApp, viewQuery } from '../view';

const STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'];
const PAGE_SIZE = 50;
const FILTERS = ['status', 'provider', 'gpu_type'] as const;

/**
 * The jobs running in the range, with the filters of GET /jobs, newest first, a page at a time
 * by cursor (the API's keyset paging: page 1,000 costs what page 1 does).
 */
export function Jobs() {
  const { view, route, me } = useApp();
  const own = Object.fromEntries(FILTERS.map((name) => [name, route.query.get(name) ?? undefined]));
  const teams = useApi<{ teams: Team[] }>(me.role === 'admin' ? '/teams' : null, { limit: 100 });
  const [draft, setDraft] = useState<Record<string, string>>({});
  const filterKey = JSON.stringify([view, own]);
  // The form mirrors the filters of the address, but not its dates: picking a date range keeps the
  // filters being edited (a preset clicked between choosing a status and applying it kept it).
  const draftKey = JSON.stringify([view.team_id, view.model_name, own]);
  useEffect(
    () =>
      setDraft({
        team_id: view.team_id ?? '',
        model_name: view.model_name ?? '',
        status: own.status ?? '',
        provider: own.provider ?? '',
        gpu_type: own.gpu_type ?? '',
      }),
    [draftKey],
  );
  // The cursors of the pages before this one: Previous goes back without asking the API to count.
  const [cursors, setCursors] = useState<string[]>([]);
  useEffect(() => setCursors([]), [filterKey]);
  const page = useApi<JobsPage>('/jobs', {
    start: view.start,
    end: view.end,
    team_id: view.team_id,
    model_name: view.model_name,
    ...own,
    limit: PAGE_SIZE,
    cursor: cursors[cursors.length - 1],
  });
  const apply = (event: Event) => {
    event.preventDefault();
    const next = { ...view, team_id: draft.team_id || undefined, model_name: draft.model_name.trim() || undefined };
    const filters = Object.fromEntries(FILTERS.map((name) => [name, draft[name].trim() || undefined]));
    navigate(hrefFor('jobs', { ...viewQuery(next), ...filters }));
  };
  const field = (name: string) => ({
    name,
    value: draft[name] ?? '',
    onInput: (e: { currentTarget: HTMLInputElement | HTMLSelectElement }) =>
      setDraft({ ...draft, [name]: e.currentTarget.value }),
  });
  const first = cursors.length * PAGE_SIZE + 1;
  return (
    <>
      <Panel id="job-filters" title="Filters">
        <form class="filters" onSubmit={apply}>
          {me.role === 'admin' ? (
            <label>
              Team
              <select {...field('team_id')}>
                <option value="">Every team</option>
                {teams.data?.teams.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <p class="hint">Team: {me.team?.name} (members see their own team)</p>
          )}
          <label>
            Status
            <select {...field('status')}>
              <option value="">Any status</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label>
            Model <input type="text" maxLength={200} {...field('model_name')} />
          </label>
          <label>
            Provider <input type="text" maxLength={64} {...field('provider')} />
          </label>
          <label>
            GPU type <input type="text" maxLength={64} {...field('gpu_type')} />
          </label>
          <button type="submit">Apply filters</button>
        </form>
        {teams.error && <p class="error">The team list could not be read: {teams.error}</p>}
      </Panel>
      <Panel id="jobs" title="Jobs">
        <Answer loaded={page} what="jobs">
          {(data) => (
            <>
              <p class="hint" data-testid="jobs-count">
                {data.jobs.length
                  ? `Jobs ${formatCount(first)}–${formatCount(first + data.jobs.length - 1)} of ${data.total_exact ? '' : 'at least '}${formatCount(Math.max(data.total, first + data.jobs.length - 1))}, newest first.`
                  : 'No job ran in this range with these filters.'}
              </p>
              <div class="table-wrap">
                <table data-testid="jobs-table">
                  <caption>
                    Jobs that ran between {view.start} and {view.end}
                  </caption>
                  <thead>
                    <tr>
                      {[
                        'Job',
                        'Team',
                        'Model',
                        'Provider',
                        'GPU type',
                        'GPUs',
                        'Start',
                        'End',
                        'Status',
                        'GPU-hours',
                      ].map((h) => (
                        <th scope="col" key={h} class={h === 'GPUs' || h === 'GPU-hours' ? 'num' : undefined}>
                          {h}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {data.jobs.map((job) => (
                      <tr key={job.job_id}>
                        <th scope="row">
                          <a href={hrefFor('job', viewQuery(view), job.job_id)}>{job.job_id}</a>
                        </th>
                        <td>{job.team_name}</td>
                        <td>{job.model_name}</td>
                        <td>{job.provider}</td>
                        <td>{job.gpu_type}</td>
                        <td class="num">{job.gpu_count}</td>
                        <td>{formatTime(job.start_time)}</td>
                        <td>
                          {job.end_time ? formatTime(job.end_time) : job.status === 'running' ? 'still running' : '—'}
                        </td>
                        <td>{job.status}</td>
                        <td class="num">{formatNumber(job.gpu_hours)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <nav class="pager" aria-label="Pages of jobs">
                <button type="button" disabled={!cursors.length} onClick={() => setCursors(cursors.slice(0, -1))}>
                  Previous page
                </button>
                <button
                  type="button"
                  disabled={!data.next_cursor}
                  onClick={() => data.next_cursor && setCursors([...cursors, data.next_cursor])}
                >
                  Next page
                </button>
              </nav>
            </>
          )}
        </Answer>
      </Panel>
    </>
  );
}
