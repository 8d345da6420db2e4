import { parse } from 'csv-parse';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';

/** What an archive file holds, as read back from the disk. */
export interface ArchiveFileContents {
  /** FOCUS rows (the header excluded). */
  rows: number;
  /** Rows of job-days (the others are idle capacity). */
  jobDayRows: number;
  /** Σ BilledCost, in millionths of a dollar (the export writes six decimals). */
  billedMicros: bigint;
}

/** The archive cannot go on as asked; nothing has been deleted. The message says what to do. */
export class ArchiveCheckError extends Error {}

const micros = (value: string): bigint => {
  const negative = value.startsWith('-');
  const [whole, fraction = ''] = value.replace('-', '').split('.');
  const amount = BigInt(whole || '0') * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6));
  return negative ? -amount : amount;
};

/** Dollars and cents of a non-negative amount in millionths, rounded half-up. */
export const dollarsOf = (amount: bigint): string => {
  const cents = (amount + 5_000n) / 10_000n;
  return `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
};

/**
 * Refuses (ArchiveCheckError) a destination where no file can be written: its directory is made
 * if missing, and a probe file beside it created and removed, as the write will.
 */
export async function checkWritable(file: string): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  const probe = path.join(dir, `.${path.basename(file)}.${process.pid}.probe`);
  try {
    await fs.mkdir(dir, { recursive: true });
    await (await fs.open(probe, 'wx')).close();
    await fs.unlink(probe);
  } catch (error) {
    throw new ArchiveCheckError(`Cannot write ${file}: ${(error as Error).message}`);
  }
}

/**
 * Writes an archive file so that a crash never leaves a half file under its name: the rows go to
 * a temporary file beside it, which is synced to the disk, read back, counted and checked, then
 * linked to its name (refused if a file of that name exists: an archive is never overwritten)
 * and the directory synced. `write` streams the rows and ends the stream it is given; `check`
 * throws when what was read back is not what was meant to be written.
 */
export async function writeArchiveFile(
  file: string,
  write: (out: Writable) => Promise<void>,
  check: (contents: ArchiveFileContents) => void,
): Promise<ArchiveFileContents> {
  const dir = path.dirname(path.resolve(file));
  await fs.mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.partial`);
  // Opened before anything is read, so that a directory that cannot be written fails at once.
  const handle = await fs.open(temp, 'wx');
  try {
    const out = handle.createWriteStream();
    const closed = new Promise<void>((resolve, reject) => {
      out.once('close', resolve);
      out.once('error', reject);
    });
    // A failed write is reported by `write` (or its error below); this must not go unhandled.
    closed.catch(() => undefined);
    try {
      await write(out);
    } catch (error) {
      out.destroy();
      throw error;
    }
    await closed;
    await syncFile(temp);
    const contents = await readArchiveFile(temp);
    check(contents);
    try {
      await fs.link(temp, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      throw new ArchiveCheckError(`${file} exists already: give another --out (an archive file is never overwritten)`);
    }
    await syncFile(dir);
    return contents;
  } finally {
    await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
  }
}

/** Counts an archive file's rows and adds up its BilledCost. */
async function readArchiveFile(file: string): Promise<ArchiveFileContents> {
  const contents: ArchiveFileContents = { rows: 0, jobDayRows: 0, billedMicros: 0n };
  const rows = createReadStream(file).pipe(parse({ columns: true }));
  for await (const row of rows as AsyncIterable<Record<string, string>>) {
    contents.rows++;
    if (row.x_JobId) contents.jobDayRows++;
    contents.billedMicros += micros(row.BilledCost);
  }
  return contents;
}

/** Syncs a file, or a directory (a link made in it is durable once it is synced). */
async function syncFile(name: string): Promise<void> {
  const handle = await fs.open(name, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
