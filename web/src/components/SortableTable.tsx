import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

export interface Column<T> {
  key: string;
  label: string;
  numeric?: boolean;
  value: (row: T) => string | number;
  render?: (row: T) => ComponentChildren;
}

/**
 * A table whose column headers are buttons that sort it (again: the other way), announcing the
 * order with aria-sort. Starts in the order given.
 */
export function SortableTable<T>(props: {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  testId?: string;
}) {
  const [sort, setSort] = useState<{ key: string; descending: boolean } | null>(null);
  const column = sort && props.columns.find((c) => c.key === sort.key);
  const rows = column
    ? [...props.rows].sort((a, b) => {
        const [x, y] = [column.value(a), column.value(b)];
        const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
        return sort.descending ? -order : order;
      })
    : props.rows;
  const toggle = (c: Column<T>) =>
    setSort((s) => ({ key: c.key, descending: s?.key === c.key ? !s.descending : !!c.numeric }));
  return (
    <div class="table-wrap">
      <table data-testid={props.testId}>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th
                key={c.key}
                scope="col"
                class={c.numeric ? 'num' : undefined}
                aria-sort={sort?.key === c.key ? (sort.descending ? 'descending' : 'ascending') : undefined}
              >
                <button type="button" class="sort" onClick={() => toggle(c)}>
                  {c.label}
                  <span aria-hidden="true">{sort?.key === c.key ? (sort.descending ? ' ▼' : ' ▲') : ' ↕'}</span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={props.rowKey(row)}>
              {props.columns.map((c) => (
                <td key={c.key} class={c.numeric ? 'num' : undefined} data-column={c.key}>
                  {c.render ? c.render(row) : c.value(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <p class="empty">Nothing in this range.</p>}
    </div>
  );
}
