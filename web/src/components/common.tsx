import type { ComponentChildren } from 'preact';
import type { Loaded } from '../use-api';
import type { BudgetStatus } from '../types';

export function Panel(props: { title: string; id: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="panel" aria-labelledby={`${props.id}-title`} id={props.id}>
      <header class="panel-head">
        <h2 id={`${props.id}-title`}>{props.title}</h2>
        {props.actions}
      </header>
      {props.children}
    </section>
  );
}

export const ErrorNote = ({ message }: { message: string }) => (
  <p class="error" role="alert">
    <span aria-hidden="true">⚠ </span>
    {message}
  </p>
);

export const Loading = ({ what }: { what: string }) => (
  <p class="loading" role="status">
    Loading {what}…
  </p>
);

/** A call's answer, its error in words, or a loading line: never an empty box. */
export function Answer<T>(props: { loaded: Loaded<T>; what: string; children: (data: T) => ComponentChildren }) {
  const { loaded } = props;
  if (loaded.error) return <ErrorNote message={loaded.error} />;
  if (loaded.data === undefined) return <Loading what={props.what} />;
  return <>{props.children(loaded.data)}</>;
}

const STATUS_TEXT: Record<BudgetStatus, { icon: string; word: string }> = {
  ok: { icon: '✓', word: 'On track' },
  warning: { icon: '!', word: 'Warning' },
  over: { icon: '✕', word: 'Over budget' },
  no_budget: { icon: '–', word: 'No budget' },
};

/** Status as an icon and a word on a tinted badge: the colour only repeats what the text says. */
export const StatusBadge = ({ status }: { status: BudgetStatus }) => (
  <span class={`badge badge-${status}`}>
    <span aria-hidden="true">{STATUS_TEXT[status].icon} </span>
    {STATUS_TEXT[status].word}
  </span>
);
