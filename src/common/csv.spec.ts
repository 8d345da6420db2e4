import { parse } from 'csv-parse/sync';
import { csvOf, csvWriter, neutraliseFormula } from './csv';

describe('CSV cells a spreadsheet would run as formulas', () => {
  it.each(['=HYPERLINK("http://x","y")', '+SUM(1,2)', '-2+3', '@SUM(A1)', '\tcmd', '\r=1', '-', "=1+1'"])(
    'prefixes %j with a single quote',
    (text) => {
      expect(neutraliseFormula(text)).toBe(`'${text}`);
    },
  );

  it.each(['vision', 'llama-3-8b', 'a=b', ' =1', "'already quoted", '', '12', '-12', '-0.5', '720.000000'])(
    'leaves %j as it is',
    (text) => {
      expect(neutraliseFormula(text)).toBe(text);
    },
  );

  it('leaves numbers alone, negative ones included, and neutralises every text column', () => {
    const rows = [
      { team_name: '=cmd|"/C calc"!A0', model_name: '@model', cost_usd: -12.5, gpu_hours: 3, delta: '-4.25' },
    ];
    const text = csvOf(rows, { header: true, columns: Object.keys(rows[0]) });
    expect(parse(text, { columns: true })).toEqual([
      { team_name: `'=cmd|"/C calc"!A0`, model_name: "'@model", cost_usd: '-12.5', gpu_hours: '3', delta: '-4.25' },
    ]);
  });

  it('does the same in the streaming writer', async () => {
    const writer = csvWriter({ header: true, columns: ['x_JobId', 'BilledCost'] });
    let out = '';
    writer.on('data', (chunk: Buffer) => (out += chunk.toString()));
    writer.write({ x_JobId: '+job', BilledCost: '-1.000000' });
    writer.end();
    await new Promise((resolve) => writer.on('end', resolve));
    expect(out).toBe("x_JobId,BilledCost\n'+job,-1.000000\n");
  });
});
