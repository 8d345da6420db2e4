import 'reflect-metadata';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AlertMarksModule } from '../alerts/alerts.module';
import { DomainError } from '../common/errors/domain-error';
import { AppConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import type { IngestionKind } from './ingestion-run.entity';
import { IngestionModule } from './ingestion.module';
import { IngestInput, IngestionService } from './ingestion.service';

/**
 * Operators' ingestion without HTTP: `npm run ingest -- <file> [--kind jobs|costs] [--dry-run] [--atomic]`.
 * The same service, database and migrations as the API (DATABASE_URL, or the embedded server).
 * The format comes from the extension (.json, .ndjson/.jsonl, .csv); the kind from --kind, else
 * from the file name (a name containing "cost" is cost snapshots).
 */
// The modules ingestion imports bring their controllers, whose guards need the rate limits' options.
@Module({ imports: [AppConfigModule, DatabaseModule, RateLimitsModule, IngestionModule, AlertMarksModule] })
class IngestCliModule {}

const USAGE = 'Usage: npm run ingest -- <file.json|file.ndjson|file.csv> [--kind jobs|costs] [--dry-run] [--atomic]';

interface CliArgs {
  file: string;
  kind: IngestionKind;
  dryRun: boolean;
  atomic: boolean;
}

export function parseCliArgs(argv: string[]): CliArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { kind: { type: 'string' }, 'dry-run': { type: 'boolean' }, atomic: { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw new Error(USAGE);
  const file = positionals[0];
  const kind = values.kind ?? (/cost/i.test(path.basename(file)) ? 'costs' : 'jobs');
  if (kind !== 'jobs' && kind !== 'costs') throw new Error(`--kind must be jobs or costs\n${USAGE}`);
  return { file, kind, dryRun: values['dry-run'] ?? false, atomic: values.atomic ?? false };
}

async function inputOf(file: string): Promise<IngestInput> {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.json') return { format: 'json', body: JSON.parse(await fs.readFile(file, 'utf8')) };
  if (extension === '.ndjson' || extension === '.jsonl') return { format: 'ndjson', stream: createReadStream(file) };
  if (extension === '.csv') return { format: 'csv', stream: createReadStream(file) };
  throw new Error(`Cannot tell the format of ${file}: use .json, .ndjson, .jsonl or .csv\n${USAGE}`);
}

/** A progress line on a terminal only, so piped output stays a clean summary. */
function progressLine(): ((records: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  const started = Date.now();
  return (records) => {
    const rate = Math.round(records / Math.max((Date.now() - started) / 1000, 0.001));
    process.stderr.write(`\r${records.toLocaleString('en-US')} records read (${rate.toLocaleString('en-US')}/s)   `);
  };
}

async function main(): Promise<number> {
  const args = parseCliArgs(process.argv.slice(2));
  await fs.access(args.file);
  const app = await NestFactory.createApplicationContext(IngestCliModule, { logger: ['error', 'warn'] });
  try {
    const onProgress = progressLine();
    const answer = await app.get(IngestionService).ingest({
      kind: args.kind,
      source: `cli:${path.basename(args.file)}`,
      input: await inputOf(args.file),
      dryRun: args.dryRun,
      atomic: args.atomic,
      onProgress,
    });
    if (onProgress) process.stderr.write('\n');
    console.log(`${answer.status}: ${answer.message}`);
    console.log(JSON.stringify({ run_id: answer.run_id, ...answer.result }, null, 2));
    return answer.status === 'success' ? 0 : 2;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const response = error.getResponse() as { details?: unknown };
    console.error(`failed: ${error.message}`);
    if (response.details) console.error(JSON.stringify(response.details, null, 2));
    return 1;
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: Error) => {
      new Logger('ingest').error(error.message);
      process.exit(1);
    },
  );
}
