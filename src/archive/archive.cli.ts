import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AlertMarksModule } from '../alerts/alerts.module';
import { DomainError } from '../common/errors/domain-error';
import { AppConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { ARCHIVE_USAGE, ArchiveArgsError, parseArchiveArgs } from './archive-args';
import { ArchiveCheckError, dollarsOf } from './archive-file';
import { ArchiveModule } from './archive.module';
import { ArchiveOutcome, ArchiveService } from './archive.service';

/**
 * `npm run archive -- --before YYYY-MM [--out FILE] [--dry-run]`: writes the FOCUS export of the
 * months before YYYY-MM to a file, then deletes their job-days and day sums (cells and cost
 * snapshots stay). The same configuration, database and migrations as the API (DATABASE_URL, or
 * the embedded server on the app's data directory). Exit codes: 0 done (or nothing to do), 1 a
 * failure, 2 a bad command line.
 */
// The analytics module brings its controllers, whose guards need the rate limits' options; the
// alert marks learn of the refresh run before closing, as after any ingestion.
@Module({ imports: [AppConfigModule, DatabaseModule, RateLimitsModule, AlertMarksModule, ArchiveModule] })
class ArchiveCliModule {}

const count = (n: number) => n.toLocaleString('en-US');

function report(before: string, outcome: ArchiveOutcome, dryRun: boolean): string {
  if (dryRun) {
    if (!outcome.planned?.length) return `Nothing to archive before ${before}.`;
    return [
      `Would archive ${outcome.planned.map((m) => m.month).join(', ')} (dry run: nothing written):`,
      ...outcome.planned.map(
        (m) => `  ${m.month}: ${count(m.jobDayRows)} job-day rows${m.exported ? ' (exported by an earlier run)' : ''}`,
      ),
    ].join('\n');
  }
  if (!outcome.months.length) {
    return `Nothing to archive before ${before}: every month before it with data is archived already.`;
  }
  const lines = [`Archived ${outcome.months.join(', ')}.`];
  if (outcome.file && outcome.exported) {
    lines.push(
      `FOCUS export written to ${outcome.file}: ${count(outcome.exported.rows)} rows, BilledCost ${dollarsOf(outcome.exported.billedMicros)} USD.`,
    );
  } else {
    lines.push('Their FOCUS export had been written by an earlier run (see archived_months.file).');
  }
  lines.push(
    `Deleted ${count(outcome.jobDayRows)} job-day rows and ${count(outcome.daySumRows)} day-sum rows; ` +
      'cells and cost snapshots stay, so the totals of these months stay answerable.',
  );
  return lines.join('\n');
}

async function main(): Promise<number> {
  if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
    console.log(
      `${ARCHIVE_USAGE}\nArchives the months before YYYY-MM: writes their FOCUS export to FILE (default ` +
        'archive/heliox-focus-before-YYYY-MM.csv), then deletes their job-days and day sums; cells and cost ' +
        'snapshots stay (docs/allocation.md, "Archiving old months").',
    );
    return 0;
  }
  let args;
  try {
    args = parseArchiveArgs(process.argv.slice(2), new Date());
  } catch (error) {
    if (!(error instanceof ArchiveArgsError)) throw error;
    console.error(error.message);
    return 2;
  }
  const app = await NestFactory.createApplicationContext(ArchiveCliModule, { logger: ['error', 'warn'] });
  try {
    const outcome = await app.get(ArchiveService).run(args);
    console.log(report(args.before, outcome, args.dryRun));
    return 0;
  } catch (error) {
    if (!(error instanceof ArchiveCheckError || error instanceof DomainError)) throw error;
    console.error(`failed: ${error.message}`);
    return 1;
  } finally {
    await app.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message.startsWith('Invalid configuration') ? error.message : error);
    process.exit(1);
  },
);
