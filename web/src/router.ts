import { useEffect, useState } from 'preact/hooks';

/**
 * Routing by the URL's hash (`#/jobs?team_id=…`): the server only ever serves `/`, a view can be
 * bookmarked and shared, and Back works. The query holds the view: range, grouping, filters.
 */

const PAGES = ['overview', 'breakdowns', 'jobs', 'job', 'ingestions', 'alerts'] as const;
export type Page = (typeof PAGES)[number];

export interface Route {
  page: Page;
  /** The job's id on the job page. */
  param?: string;
  query: URLSearchParams;
}

function parseHash(hash: string): Route {
  const [path, search = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const [name, ...rest] = path.split('/');
  const page = (PAGES as readonly string[]).includes(name) ? (name as Page) : 'overview';
  const param = rest.length ? decodeURIComponent(rest.join('/')) : undefined;
  return { page, param, query: new URLSearchParams(search) };
}

export function hrefFor(page: Page, query: Record<string, string | undefined>, param?: string): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value) search.set(name, value);
  const text = search.toString();
  return `#/${page}${param ? `/${encodeURIComponent(param)}` : ''}${text ? `?${text}` : ''}`;
}

export function navigate(href: string): void {
  window.location.hash = href.replace(/^#/, '');
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
