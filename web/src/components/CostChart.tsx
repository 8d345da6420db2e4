import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { formatUsd, formatUsdShort } from '../format';

export interface ChartSeries {
  label: string;
  colour: string;
  /** Cost per day, in the order of `days`. */
  values: number[];
}

const HEIGHT = 300;
const DAY_SECONDS = 86_400;

/**
 * Cost per day as stacked bars (uPlot draws on a canvas). Each series is drawn as the running
 * sum of itself and those before it, the tallest first, so each band shows its own share.
 * When the bars of `chartKey` are drawn, the figure says so (`data-chart-state="drawn"`,
 * `data-chart-key`) and the page marks `heliox:chart-drawn`: the tests and the benchmark wait
 * for it. The canvas is hidden from assistive technology; the table below it has the numbers.
 */
export function CostChart(props: { days: string[]; series: ChartSeries[]; chartKey: string; caption: string }) {
  const figure = useRef<HTMLElement>(null);
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = holder.current!;
    const fig = figure.current!;
    fig.dataset.chartState = 'drawing';
    const xs = props.days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000);
    let running = xs.map(() => 0);
    const stacked = props.series.map((s) => (running = running.map((sum, i) => sum + s.values[i])));
    const order = props.series.map((s, i) => ({ s, values: stacked[i] })).reverse();
    const bars = uPlot.paths.bars!({ size: [0.8, 48], gap: 1 });
    const plot = new uPlot(
      {
        width: Math.max(el.clientWidth, 320),
        height: HEIGHT,
        legend: { show: false },
        cursor: { show: false },
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        scales: {
          x: { time: true, range: (_u, min, max) => [min - DAY_SECONDS / 2, max + DAY_SECONDS / 2] },
          y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] },
        },
        axes: [
          { stroke: '#333', grid: { stroke: '#e3e3e3' } },
          { stroke: '#333', size: 72, grid: { stroke: '#e3e3e3' }, values: (_u, ticks) => ticks.map(formatUsdShort) },
        ],
        series: [
          {},
          ...order.map(({ s }) => ({
            label: s.label,
            fill: s.colour,
            stroke: '#ffffff',
            width: 0.5,
            paths: bars,
            points: { show: false },
          })),
        ],
        hooks: {
          draw: [
            () => {
              fig.dataset.chartState = 'drawn';
              fig.dataset.chartKey = props.chartKey;
              performance.mark('heliox:chart-drawn', { detail: props.chartKey });
            },
          ],
        },
      },
      [xs, ...order.map((o) => o.values)],
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 320), height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [props.chartKey]);

  return (
    <figure class="chart" ref={figure} data-chart-state="drawing" data-testid="cost-chart">
      <figcaption>{props.caption}</figcaption>
      <div ref={holder} class="chart-canvas" aria-hidden="true" />
      <details>
        <summary>The same numbers as a table</summary>
        <div class="table-wrap">
          <table>
            <caption>{props.caption}</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                {props.series.map((s) => (
                  <th scope="col" class="num" key={s.label}>
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {props.days.map((day, i) => (
                <tr key={day}>
                  <th scope="row">{day}</th>
                  {props.series.map((s) => (
                    <td class="num" key={s.label}>
                      {formatUsd(s.values[i])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
