import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { ArchiveCheckError, dollarsOf, writeArchiveFile } from './archive-file';

const HEADER = 'BilledCost,x_JobId\n';
/** A writer of the given CSV text, as the export streams it. */
const rows = (text: string) => (out: Writable) => {
  out.end(text);
  return Promise.resolve();
};

describe('archive files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'archive-file-'));
  });

  it('writes the file under its name once complete, counted and checked, leaving nothing else', async () => {
    const file = path.join(dir, 'sub', 'jan.csv');
    const text = `${HEADER}720.000000,a\n180.000000,b\n0.004999,\n`;
    const contents = await writeArchiveFile(file, rows(text), () => undefined);
    expect(contents).toEqual({ rows: 3, jobDayRows: 2, billedMicros: 900_004_999n });
    expect(dollarsOf(contents.billedMicros)).toBe('900.00');
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(readdirSync(path.dirname(file))).toEqual(['jan.csv']);
  });

  it('gives no name to a file that fails its check, nor to a failed write', async () => {
    const file = path.join(dir, 'jan.csv');
    await expect(
      writeArchiveFile(file, rows(`${HEADER}1.000000,a\n`), (c) => {
        if (c.jobDayRows !== 2) throw new ArchiveCheckError('one row short');
      }),
    ).rejects.toThrow('one row short');
    await expect(
      writeArchiveFile(
        file,
        () => Promise.reject(new Error('database gone')),
        () => undefined,
      ),
    ).rejects.toThrow('database gone');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('never overwrites a file', async () => {
    const file = path.join(dir, 'jan.csv');
    writeFileSync(file, 'precious');
    await expect(writeArchiveFile(file, rows(`${HEADER}1.000000,a\n`), () => undefined)).rejects.toThrow(
      `${file} exists already`,
    );
    expect(readFileSync(file, 'utf8')).toBe('precious');
    expect(readdirSync(dir)).toEqual(['jan.csv']);
  });
});
