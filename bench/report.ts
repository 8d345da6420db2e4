/**
 * The results: each figure beside its reference from the same run, the ratio, the target the
 * issue states and an honest verdict; plus the correctness checks and the machine.
 */

export interface Target {
  /** '<' is for targets stated as "under" a bound, where the bound itself misses; '–' is a range, both ends in. */
  op: '≥' | '≤' | '<' | '–';
  value: number;
  /** The upper end of a '–' range. */
  upTo?: number;
  unit?: string;
}

export interface Figure {
  label: string;
  /** Heliox's measurement, formatted. */
  heliox: string;
  /** The reference measured in the same run, formatted; '—' when the figure has none. */
  reference: string;
  /** Reference-relative ratio as the target defines it; null when there is no reference. */
  ratio: number | null;
  /** The value the target is checked against (the ratio, or an absolute value such as RSS). */
  checked: number | null;
  target: Target;
  /** Why the figure could not be measured; the row then has no verdict. */
  unmeasured?: string;
}

export interface Check {
  label: string;
  ok: boolean;
  detail: string;
}

export interface MachineDescription {
  cpus: string;
  memory: string;
  os: string;
  node: string;
  postgres: string;
  database: string;
}

export interface RunDescription {
  jobs: number;
  /** A growth run's stage: measured at this many jobs, then at `jobs`. */
  stageJobs?: number;
  days: number;
  firstDay: string;
  lastDay: string;
  seed: number;
  loadSeconds: number;
  startedAt: string;
  elapsedSeconds: number;
}

export type Verdict = 'pass' | 'fail' | 'not measured';

export function verdict(figure: Figure): Verdict {
  if (figure.unmeasured || figure.checked === null || !Number.isFinite(figure.checked)) return 'not measured';
  const { op, value } = figure.target;
  const checked = figure.checked;
  const ok =
    op === '≥'
      ? checked >= value
      : op === '<'
        ? checked < value
        : op === '–'
          ? checked >= value && checked <= (figure.target.upTo ?? value)
          : checked <= value;
  return ok ? 'pass' : 'fail';
}

export function unmeasured(label: string, target: Target, reason: string): Figure {
  return { label, heliox: '—', reference: '—', ratio: null, checked: null, target, unmeasured: reason };
}

function formatTarget(target: Target): string {
  const unit = target.unit ? ` ${target.unit}` : '';
  if (target.op === '–') return `${target.value}–${target.upTo ?? target.value}${unit}`;
  return `${target.op} ${target.value}${unit}`;
}

/** Ratios keep two significant decimals below 10, fewer above, so the table stays readable. */
export function formatRatio(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return '—';
  if (ratio >= 100) return ratio.toFixed(0);
  if (ratio >= 10) return ratio.toFixed(1);
  return ratio.toFixed(2);
}

/**
 * A figure's ratio as the results table shows it: formatRatio's digits, and more where those would
 * read as the other verdict (0.797 against ≥ 0.8 reads 0.797, not 0.80 beside "fail").
 */
export function shownRatio(figure: Figure): string {
  const { ratio } = figure;
  let shown = formatRatio(ratio);
  if (ratio === null || !Number.isFinite(ratio) || figure.checked !== ratio) return shown;
  const readsAs = (text: string) => verdict({ ...figure, checked: Number(text) });
  let digits = (shown.split('.')[1] ?? '').length;
  while (readsAs(shown) !== verdict(figure) && digits < 6) shown = ratio.toFixed(++digits);
  return shown;
}

export function formatRate(perSecond: number, unit: string): string {
  return `${Math.round(perSecond).toLocaleString('en-US')} ${unit}`;
}

export function formatMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(1)} ms`;
}

export function formatMB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function markdownTable(header: string[], rows: string[][]): string {
  const lines = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

export function resultsTable(figures: Figure[]): string {
  return markdownTable(
    ['figure', 'Heliox', 'reference', 'ratio', 'target', 'result'],
    figures.map((f) => {
      const v = verdict(f);
      return [
        f.label,
        f.unmeasured ? `not measured: ${f.unmeasured}` : f.heliox,
        f.reference,
        shownRatio(f),
        formatTarget(f.target),
        v === 'pass' ? 'pass' : v === 'fail' ? '**fail**' : 'not measured',
      ];
    }),
  );
}

export function checksTable(checks: Check[]): string {
  return markdownTable(
    ['correctness check', 'result', 'detail'],
    checks.map((c) => [c.label, c.ok ? 'ok' : '**MISMATCH**', c.detail]),
  );
}

export function renderReport(
  run: RunDescription,
  machine: MachineDescription,
  figures: Figure[],
  checks: Check[],
  sections: string[] = [],
): string {
  const missed = figures.filter((f) => verdict(f) === 'fail').length;
  const notMeasured = figures.filter((f) => verdict(f) === 'not measured').length;
  return [
    run.stageJobs ? '# Heliox growth run results' : '# Heliox benchmark results',
    '',
    run.stageJobs
      ? `Growth run of ${run.startedAt}: ${run.stageJobs.toLocaleString('en-US')} jobs measured, then ${run.jobs.toLocaleString('en-US')} ` +
        `(the rest loaded onto them), over ${run.days} days (${run.firstDay} … ${run.lastDay}), seed ${run.seed}; ` +
        `the whole run took ${run.elapsedSeconds.toFixed(0)} s.`
      : `Run of ${run.startedAt}: ${run.jobs.toLocaleString('en-US')} jobs over ${run.days} days (${run.firstDay} … ${run.lastDay}), ` +
        `seed ${run.seed}, load ${run.loadSeconds} s at 50 connections; the whole run took ${run.elapsedSeconds.toFixed(0)} s.`,
    '',
    markdownTable(
      ['machine', ''],
      [
        ['CPU', machine.cpus],
        ['memory', machine.memory],
        ['OS', machine.os],
        ['Node.js', machine.node],
        ['PostgreSQL', machine.postgres],
        ['database', machine.database],
      ],
    ),
    '',
    'Every reference is measured in the same run, on the same machine and database, so the ratios are',
    'comparable across machines even where the absolute figures are not.',
    '',
    resultsTable(figures),
    '',
    `${figures.length - missed - notMeasured} of ${figures.length} targets met, ${missed} missed, ${notMeasured} not measured.`,
    '',
    checksTable(checks),
    '',
    ...sections,
  ].join('\n');
}
