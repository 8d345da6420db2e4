import {
  checksTable,
  Figure,
  formatMs,
  formatRatio,
  renderReport,
  resultsTable,
  shownRatio,
  unmeasured,
  verdict,
} from './report';

const figure = (over: Partial<Figure>): Figure => ({
  label: 'ingestion rows/s ÷ COPY rows/s',
  heliox: '70,000 rows/s',
  reference: '100,000 rows/s',
  ratio: 0.7,
  checked: 0.7,
  target: { op: '≥', value: 0.7 },
  ...over,
});

describe('verdict', () => {
  it('passes a ratio exactly on an at-least target and fails one just below', () => {
    expect(verdict(figure({ checked: 0.7 }))).toBe('pass');
    expect(verdict(figure({ checked: 0.69 }))).toBe('fail');
  });

  it('passes an at-most target at or below it and fails above', () => {
    const rss = figure({ target: { op: '≤', value: 300, unit: 'MB' } });
    expect(verdict({ ...rss, checked: 300 })).toBe('pass');
    expect(verdict({ ...rss, checked: 301 })).toBe('fail');
  });

  it('fails an under target exactly at its bound', () => {
    const growth = figure({ target: { op: '<', value: 10, unit: '%' } });
    expect(verdict({ ...growth, checked: 9.99 })).toBe('pass');
    expect(verdict({ ...growth, checked: 10 })).toBe('fail');
  });

  it('passes a range target at both ends and fails outside it', () => {
    const coverage = figure({ target: { op: '–', value: 70, upTo: 90, unit: '%' } });
    expect(verdict({ ...coverage, checked: 70 })).toBe('pass');
    expect(verdict({ ...coverage, checked: 90 })).toBe('pass');
    expect(verdict({ ...coverage, checked: 69.9 })).toBe('fail');
    expect(verdict({ ...coverage, checked: 90.1 })).toBe('fail');
    expect(resultsTable([{ ...coverage, checked: 80 }])).toContain('| 70–90 % | pass |');
  });

  it('gives no verdict to a figure that was not measured', () => {
    expect(verdict(unmeasured('x', { op: '≥', value: 1 }, 'endpoint missing'))).toBe('not measured');
    expect(verdict(figure({ checked: Number.NaN }))).toBe('not measured');
  });
});

describe('resultsTable', () => {
  it('prints one Markdown row per figure with Heliox, reference, ratio, target and result', () => {
    const table = resultsTable([figure({}), figure({ label: 'slow', checked: 0.5, ratio: 0.5 })]).split('\n');
    expect(table[0]).toBe('| figure | Heliox | reference | ratio | target | result |');
    expect(table[1]).toBe('| --- | --- | --- | --- | --- | --- |');
    expect(table[2]).toBe('| ingestion rows/s ÷ COPY rows/s | 70,000 rows/s | 100,000 rows/s | 0.70 | ≥ 0.7 | pass |');
    expect(table[3]).toContain('| 0.50 | ≥ 0.7 | **fail** |');
  });

  it('says why a figure was not measured', () => {
    const row = resultsTable([
      unmeasured('rebuild ÷ refresh', { op: '≥', value: 50 }, 'no allocation:rebuild script'),
    ]).split('\n')[2];
    expect(row).toBe(
      '| rebuild ÷ refresh | not measured: no allocation:rebuild script | — | — | ≥ 50 | not measured |',
    );
  });

  it('escapes pipes inside cells', () => {
    expect(resultsTable([figure({ label: 'a | b' })])).toContain('a \\| b');
  });
});

describe('formatting', () => {
  it('rounds ratios to what a reader can compare', () => {
    expect(formatRatio(0.6543)).toBe('0.65');
    expect(formatRatio(23.456)).toBe('23.5');
    expect(formatRatio(1234.5)).toBe('1235');
    expect(formatRatio(null)).toBe('—');
  });

  it('shows a ratio with the digits that tell its verdict where the usual rounding would read as the other one', () => {
    const at = (ratio: number, target: Figure['target']) => shownRatio(figure({ ratio, checked: ratio, target }));
    expect(at(0.797, { op: '≥', value: 0.8 })).toBe('0.797');
    expect(at(49.96, { op: '≥', value: 50 })).toBe('49.96');
    expect(at(0.0996, { op: '<', value: 0.1 })).toBe('0.0996');
    expect(at(0.804, { op: '≥', value: 0.8 })).toBe('0.80');
    expect(at(0.65, { op: '≥', value: 0.7 })).toBe('0.65');
  });

  it('shows a ratio as usual when the target checks another value', () => {
    expect(shownRatio(figure({ ratio: 0.797, checked: 120, target: { op: '≤', value: 300 } }))).toBe('0.80');
  });

  it('shows latencies in ms, seconds past ten', () => {
    expect(formatMs(3.14159)).toBe('3.1 ms');
    expect(formatMs(250.4)).toBe('250 ms');
    expect(formatMs(12_345)).toBe('12.3 s');
  });
});

describe('renderReport', () => {
  it('carries the machine, the table, a tally of targets and the correctness checks', () => {
    const report = renderReport(
      {
        jobs: 20_000,
        days: 30,
        firstDay: '2026-10-28',
        lastDay: '2026-11-26',
        seed: 42,
        loadSeconds: 2,
        startedAt: '2026-11-28 17:00 UTC',
        elapsedSeconds: 80,
      },
      { cpus: '2 × Xeon', memory: '24.0 GiB', os: 'Linux', node: 'v20.20.2', postgres: '17.6', database: 'embedded' },
      [figure({}), figure({ checked: 0.1 }), unmeasured('x', { op: '≥', value: 1 }, 'missing')],
      [{ label: 'by-team agrees', ok: false, detail: '1 group differs' }],
    );
    expect(report).toContain('| PostgreSQL | 17.6 |');
    expect(report).toContain('| CPU | 2 × Xeon |');
    expect(report).toContain('1 of 3 targets met, 1 missed, 1 not measured.');
    expect(report).toContain(checksTable([{ label: 'by-team agrees', ok: false, detail: '1 group differs' }]));
    expect(report).toContain('| by-team agrees | **MISMATCH** | 1 group differs |');
  });
});
