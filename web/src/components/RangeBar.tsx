import { useEffect, useState } from 'preact/hooks';
import { presets, Range, rangeProblem } from '../dates';
import { changeView, useApp } from '../view';
import { ErrorNote } from './common';

/** The date range of every report on the page: two dates, and presets that end on the last day with costs. */
export function RangeBar() {
  const { view, anchor, route, hasCosts } = useApp();
  const [draft, setDraft] = useState<Range>({ start: view.start, end: view.end });
  useEffect(() => setDraft({ start: view.start, end: view.end }), [view.start, view.end]);
  const problem = rangeProblem(draft);
  const apply = (range: Range) => changeView(route, { ...view, ...range });
  return (
    <form
      class="range-bar"
      aria-label="Date range"
      onSubmit={(event) => {
        event.preventDefault();
        if (!problem) apply(draft);
      }}
    >
      <div class="presets" role="group" aria-label="Preset ranges">
        {presets(anchor).map((preset) => {
          const current = preset.range.start === view.start && preset.range.end === view.end;
          return (
            <button type="button" key={preset.label} aria-pressed={current} onClick={() => apply(preset.range)}>
              {preset.label}
            </button>
          );
        })}
      </div>
      <label>
        From{' '}
        <input
          type="date"
          name="start"
          value={draft.start}
          required
          onInput={(e) => setDraft({ ...draft, start: e.currentTarget.value })}
        />
      </label>
      <label>
        To{' '}
        <input
          type="date"
          name="end"
          value={draft.end}
          required
          onInput={(e) => setDraft({ ...draft, end: e.currentTarget.value })}
        />
      </label>
      <button type="submit" disabled={!!problem}>
        Show range
      </button>
      <p class="hint">
        {hasCosts
          ? `Costs are known up to ${anchor}, the last day with a cost snapshot; presets end there. Days are UTC.`
          : 'No cost snapshot has been ingested yet: costs will show once one is. Days are UTC.'}
      </p>
      {problem && <ErrorNote message={problem} />}
      {view.rangeNote && <ErrorNote message={view.rangeNote} />}
    </form>
  );
}
