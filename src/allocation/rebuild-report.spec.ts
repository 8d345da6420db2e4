import { rebuildMsOf, rebuildReport } from './rebuild-report';

describe('rebuild report', () => {
  it('reads back the time of the line the rebuild command prints, and nothing from other output', () => {
    expect(rebuildMsOf(`npm notice\n${rebuildReport(6570, 18123)}\n`)).toBe(18123);
    expect(rebuildMsOf('Invalid configuration: DATABASE_URL')).toBeUndefined();
  });
});
