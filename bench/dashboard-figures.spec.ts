import { DASHBOARD_TARGET, dashboardFigure, OverviewLoad } from './dashboard-figures';
import { verdict } from './report';

const load = (drawnMs: number, calls: [string, number, number][]): OverviewLoad => ({
  drawnMs,
  calls: calls.map(([path, startMs, endMs]) => ({ path, startMs, endMs })),
  range: { start: '2026-01-01', end: '2026-01-30' },
  totalText: '$1.00',
});

describe('dashboard figure', () => {
  const loads = [
    load(900, [
      ['/api/v1/auth/me', 300, 350],
      ['/api/v1/analytics/cost', 400, 700],
      ['/api/v1/analytics/anomalies', 950, 2000],
    ]),
    load(1100, [
      ['/api/v1/auth/me', 300, 360],
      ['/api/v1/analytics/cost', 420, 900],
      ['/api/v1/analytics/anomalies', 1150, 2300],
    ]),
    load(1300, [
      ['/api/v1/auth/me', 320, 380],
      ['/api/v1/analytics/cost', 450, 1000],
      ['/api/v1/analytics/anomalies', 1350, 2500],
    ]),
  ];

  it('checks the median time to the chart against 1.5 s', () => {
    const figure = dashboardFigure(loads);
    expect(figure.checked).toBe(1.1);
    expect(figure.target).toBe(DASHBOARD_TARGET);
    expect(verdict(figure)).toBe('pass');
    expect(verdict(dashboardFigure([load(1600, []), load(1700, [])]))).toBe('fail');
  });

  it('names the calls the chart waited for, their span, and the slowest call of the page', () => {
    expect(dashboardFigure(loads).reference).toBe(
      'API calls the chart waited for (/auth/me, /analytics/cost): 600 ms median from the first request to the ' +
        "last answer; the page's slowest call: /analytics/anomalies 1150 ms median",
    );
  });
});
