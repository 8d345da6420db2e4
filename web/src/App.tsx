import type { ComponentChildren } from 'preact';
import { useEffect, useErrorBoundary, useState } from 'preact/hooks';
import { ErrorNote, Loading } from './components/common';
import { FilterChips } from './components/FilterChips';
import { RangeBar } from './components/RangeBar';
import { yesterday } from './dates';
import { Alerts } from './pages/Alerts';
import { Breakdowns } from './pages/Breakdowns';
import { Ingestions } from './pages/Ingestions';
import { JobDetail } from './pages/JobDetail';
import { Jobs } from './pages/Jobs';
import { Overview } from './pages/Overview';
import { SignIn } from './pages/SignIn';
import { hrefFor, Page, useRoute } from './router';
import { bearerToken, endSession, onSessionChange } from './session';
import type { Coverage, Me, Team } from './types';
import { useApi } from './use-api';
import { AppContext, AppState, useApp, viewOf, viewQuery } from './view';

const NAV: { page: Page; label: string; adminOnly?: true }[] = [
  { page: 'overview', label: 'Overview' },
  { page: 'breakdowns', label: 'Breakdowns' },
  { page: 'jobs', label: 'Jobs' },
  { page: 'ingestions', label: 'Ingestion runs', adminOnly: true },
  { page: 'alerts', label: 'Alerts', adminOnly: true },
];

export function App() {
  const [signedIn, setSignedIn] = useState(() => bearerToken() !== null);
  const [reason, setReason] = useState<string | null>(null);
  useEffect(
    () =>
      onSessionChange((why) => {
        setSignedIn(bearerToken() !== null);
        setReason(why);
      }),
    [],
  );
  return signedIn ? <SignedIn /> : <SignIn reason={reason} />;
}

function SignedIn() {
  const route = useRoute();
  const me = useApi<Me>('/auth/me');
  const coverage = useApi<Coverage>('/analytics/coverage');
  const teams = useApi<{ teams: Team[] }>('/teams', { limit: 100 });
  const failure = me.error ?? coverage.error;
  if (failure)
    return (
      <main class="sign-in" id="content">
        <h1>Heliox</h1>
        <ErrorNote message={failure} />
        <button type="button" onClick={() => window.location.reload()}>
          Try again
        </button>
      </main>
    );
  if (!me.data || !coverage.data) return <Loading what="your account" />;
  const anchor = coverage.data.last_snapshot_day ?? yesterday();
  const state: AppState = {
    me: me.data,
    anchor,
    hasCosts: coverage.data.last_snapshot_day !== null,
    route,
    view: viewOf(route.query, anchor),
    teamNames: new Map(teams.data?.teams.map((t) => [t.id, t.name])),
  };
  return (
    <AppContext.Provider value={state}>
      <Layout>
        <PageBody />
      </Layout>
    </AppContext.Provider>
  );
}

const TITLES: Record<Page, string> = {
  overview: 'Overview',
  breakdowns: 'Breakdowns',
  jobs: 'Jobs',
  job: 'Job',
  ingestions: 'Ingestion runs',
  alerts: 'Alerts',
};

function Layout({ children }: { children: ComponentChildren }) {
  const { me, route, view } = useApp();
  const title = route.page === 'job' ? `Job ${route.param ?? ''}` : TITLES[route.page];
  useEffect(() => {
    document.title = `${title} · Heliox`;
  }, [title]);
  return (
    <>
      <a
        class="skip"
        href="#content"
        onClick={(event) => {
          // The hash is the page's route: move the focus without touching it.
          event.preventDefault();
          document.getElementById('content')?.focus();
        }}
      >
        Skip to the content
      </a>
      <header class="top">
        <span class="brand">Heliox</span>
        <nav aria-label="Pages">
          <ul>
            {NAV.filter((item) => !item.adminOnly || me.role === 'admin').map((item) => (
              <li key={item.page}>
                <a
                  href={hrefFor(item.page, viewQuery(view))}
                  aria-current={
                    route.page === item.page || (item.page === 'jobs' && route.page === 'job') ? 'page' : undefined
                  }
                >
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="account">
          <span data-testid="account">
            {me.email} ({me.role === 'admin' ? 'admin' : `member of ${me.team?.name ?? 'no team'}`})
          </span>
          <button type="button" onClick={() => endSession('You have signed out.')}>
            Sign out
          </button>
        </div>
      </header>
      <main id="content" tabIndex={-1}>
        <h1>{title}</h1>
        {children}
      </main>
    </>
  );
}

function PageBody() {
  const { me, route } = useApp();
  const [error, reset] = useErrorBoundary() as [unknown, () => void];
  if (error)
    return (
      <>
        <ErrorNote
          message={`This page failed to show: ${error instanceof Error ? error.message : 'an unexpected error'}`}
        />
        <button type="button" onClick={reset}>
          Try again
        </button>
      </>
    );
  const adminPage = route.page === 'ingestions' || route.page === 'alerts';
  if (adminPage && me.role !== 'admin') return <ErrorNote message="This page is for admins." />;
  const ranged = route.page === 'overview' || route.page === 'breakdowns' || route.page === 'jobs';
  return (
    <>
      {ranged && <RangeBar />}
      {ranged && <FilterChips />}
      {route.page === 'overview' && <Overview />}
      {route.page === 'breakdowns' && <Breakdowns />}
      {route.page === 'jobs' && <Jobs />}
      {route.page === 'job' && route.param && <JobDetail jobId={route.param} />}
      {route.page === 'ingestions' && <Ingestions />}
      {route.page === 'alerts' && <Alerts />}
    </>
  );
}
