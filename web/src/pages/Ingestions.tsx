import { useState } from 'preact/hooks';
import { Answer, Panel } from '../components/common';
import { formatCount, formatTime } from '../format';
import type { IngestionRun } from '../types';
import { useApi } from '../use-api';

const PAGE_SIZE = 20;
const STATUSES = ['running', 'success', 'partial', 'failed', 'aborted', 'abandoned'];

const countsText = (counts: IngestionRun['counts']) =>
  Object.entries(counts)
    .map(
      ([what, c]) =>
        `${what.replace('_', ' ')}: ${
          Object.entries(c)
            .filter(([, n]) => n > 0)
            .map(([name, n]) => `${formatCount(n)} ${name}`)
            .join(', ') || 'none'
        }`,
    )
    .join('; ');

/** The ingestion run history (admins): what each upload did, and its first record errors. */
export function Ingestions() {
  const [filters, setFilters] = useState({ kind: '', status: '' });
  const [skip, setSkip] = useState(0);
  const runs = useApi<{ ingestions: IngestionRun[]; total: number; has_more: boolean }>('/admin/ingestions', {
    ...filters,
    skip,
    limit: PAGE_SIZE,
  });
  const choose = (name: 'kind' | 'status', value: string) => {
    setFilters({ ...filters, [name]: value });
    setSkip(0);
  };
  return (
    <Panel id="ingestions" title="Uploads of jobs and cost snapshots">
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Kind
          <select value={filters.kind} onChange={(e) => choose('kind', e.currentTarget.value)}>
            <option value="">Jobs and costs</option>
            <option value="jobs">Jobs</option>
            <option value="costs">Cost snapshots</option>
          </select>
        </label>
        <label>
          Status
          <select value={filters.status} onChange={(e) => choose('status', e.currentTarget.value)}>
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </form>
      <Answer loaded={runs} what="ingestion runs">
        {(page) => (
          <>
            <div class="table-wrap">
              <table data-testid="ingestions-table">
                <caption>{formatCount(page.total)} runs, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Started</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Source</th>
                    <th scope="col">Status</th>
                    <th scope="col">Records</th>
                    <th scope="col">Errors</th>
                  </tr>
                </thead>
                <tbody>
                  {page.ingestions.map((run) => (
                    <tr key={run.id}>
                      <th scope="row">{formatTime(run.started_at)}</th>
                      <td>{run.kind}</td>
                      <td>
                        {run.source}
                        {run.dry_run ? ' (dry run)' : ''}
                      </td>
                      <td>{run.status}</td>
                      <td>{countsText(run.counts)}</td>
                      <td>
                        {run.error_count === 0 ? (
                          'none'
                        ) : (
                          <details>
                            <summary>{formatCount(run.error_count)} record errors</summary>
                            <ul>
                              {run.errors.map((e) => (
                                <li key={e.index}>
                                  Record {e.index}
                                  {e.job_id ? ` (${e.job_id})` : ''}
                                  {e.field ? `, ${e.field}` : ''}: {e.message}
                                </li>
                              ))}
                            </ul>
                          </details>
                        )}
                        {run.message && <p class="hint">{run.message}</p>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {page.ingestions.length === 0 && <p class="empty">No run matches.</p>}
            </div>
            <nav class="pager" aria-label="Pages of runs">
              <button type="button" disabled={skip === 0} onClick={() => setSkip(Math.max(0, skip - PAGE_SIZE))}>
                Previous page
              </button>
              <button type="button" disabled={!page.has_more} onClick={() => setSkip(skip + PAGE_SIZE)}>
                Next page
              </button>
            </nav>
          </>
        )}
      </Answer>
    </Panel>
  );
}
