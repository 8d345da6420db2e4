import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { addDays, isDay, rangeProblem } from './dates';
import { hrefFor, navigate, Route } from './router';
import type { Dimension, Me } from './types';

/**
 * What the pages show, read from the URL: the range (by default the 30 days ending on the last
 * day with a cost snapshot), the overview's grouping and the filters a click in a breakdown set.
 * Every page link carries it, so a filter set on one page holds on the others.
 */

export const DIMENSIONS: { value: Dimension; label: string }[] = [
  { value: 'team', label: 'Team' },
  { value: 'model', label: 'Model' },
  { value: 'provider', label: 'Provider' },
  { value: 'gpu_type', label: 'GPU type' },
];

export interface View {
  start: string;
  end: string;
  group: Dimension;
  team_id?: string;
  model_name?: string;
  /** Why the range in the URL was not used, if it was not. */
  rangeNote?: string;
}

const DEFAULT_DAYS = 30;

export function viewOf(query: URLSearchParams, anchor: string): View {
  const group = DIMENSIONS.find((d) => d.value === query.get('group'))?.value ?? 'team';
  const asked = { start: query.get('start') ?? '', end: query.get('end') ?? '' };
  const fallback = { start: addDays(anchor, -(DEFAULT_DAYS - 1)), end: anchor };
  const given = isDay(asked.start) || isDay(asked.end);
  const problem = given ? rangeProblem(asked) : null;
  const range = given && !problem ? asked : fallback;
  return {
    ...range,
    group,
    team_id: query.get('team_id') || undefined,
    model_name: query.get('model_name') || undefined,
    rangeNote: problem ? `The range in the address was not used: ${problem}` : undefined,
  };
}

export function viewQuery(view: View): Record<string, string | undefined> {
  return {
    start: view.start,
    end: view.end,
    group: view.group === 'team' ? undefined : view.group,
    team_id: view.team_id,
    model_name: view.model_name,
  };
}

export interface AppState {
  me: Me;
  /** The last day with a cost snapshot (or yesterday when there is none): presets end on it. */
  anchor: string;
  hasCosts: boolean;
  route: Route;
  view: View;
  teamNames: Map<string, string>;
}

export const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const state = useContext(AppContext);
  if (!state) throw new Error('useApp outside the signed-in app');
  return state;
}

const VIEW_KEYS = ['start', 'end', 'group', 'team_id', 'model_name'];

/** Stays on the current page with the view changed; the page's own query (its filters) is kept. */
export function changeView(route: Route, view: View): void {
  const own = Object.fromEntries([...route.query].filter(([name]) => !VIEW_KEYS.includes(name)));
  navigate(hrefFor(route.page, { ...own, ...viewQuery(view) }, route.param));
}
