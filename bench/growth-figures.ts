import { Figure, formatMs, Target } from './report';
import { median } from './stats';

/** How a read slows as the data grows fiftyfold: latency at N jobs ÷ latency at N/50 jobs. */

export const GROWTH_TARGET: Target = { op: '≤', value: 3 };

export const growthLabel = (what: string) => `${what} latency at N jobs ÷ at N/50 jobs (medians)`;

export function growthFigure(what: string, atN: number[], atFiftieth: number[], jobs: number): Figure {
  const ratio = median(atN) / median(atFiftieth);
  return {
    label: growthLabel(what),
    heliox: `${formatMs(median(atN))} at ${jobs.toLocaleString('en-US')} jobs`,
    reference: `${formatMs(median(atFiftieth))} at ${Math.round(jobs / 50).toLocaleString('en-US')} jobs`,
    ratio,
    checked: ratio,
    target: GROWTH_TARGET,
  };
}
