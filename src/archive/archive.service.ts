import { Injectable } from '@nestjs/common';
import { promises as fs } from 'node:fs';
import { AllocationService, MonthInProgress, MonthToArchive } from '../allocation/allocation.service';
import { addDays, monthAfter } from '../common/calendar';
import { FocusExportService } from '../analytics/focus-export.service';
import type { ArchiveArgs } from './archive-args';
import { ArchiveCheckError, ArchiveFileContents, checkWritable, writeArchiveFile } from './archive-file';

/** What a run did. */
export interface ArchiveOutcome {
  /** Months archived by this run (finished, when an earlier run had stopped half-way). */
  months: string[];
  /** The file this run wrote; null when every month had been exported already (or a dry run). */
  file: string | null;
  exported: ArchiveFileContents | null;
  jobDayRows: number;
  daySumRows: number;
  /** A dry run: what a run would archive, nothing written. */
  planned?: MonthToArchive[];
}

/**
 * `npm run archive` (docs/allocation.md, "Archiving old months"): closes the months before a
 * boundary, writes their FOCUS export to a file, and only then deletes their job-days and day
 * sums, a day per transaction. Cells and cost snapshots stay. A second run is a no-op; a run
 * that stopped half-way is finished by the next one.
 */
@Injectable()
export class ArchiveService {
  constructor(
    private readonly allocation: AllocationService,
    private readonly focus: FocusExportService,
  ) {}

  async run(args: ArchiveArgs): Promise<ArchiveOutcome> {
    const planned = await this.allocation.planArchive(args.before);
    if (args.dryRun || !planned.length) {
      return { months: [], file: null, exported: null, jobDayRows: 0, daySumRows: 0, planned };
    }
    // Refused before anything is closed: an archive file is never overwritten.
    if (planned.some((m) => !m.exported) && (await exists(args.out))) {
      throw new ArchiveCheckError(
        `${args.out} exists already: give another --out (an archive file is never overwritten)`,
      );
    }
    // Closing cannot be undone: a destination that cannot be written is found out before it.
    if (planned.some((m) => !m.exported)) await checkWritable(args.out);
    const months = await this.allocation.closeMonths(args.before);
    const outcome: ArchiveOutcome = {
      months: months.map((m) => m.month),
      file: null,
      exported: null,
      jobDayRows: 0,
      daySumRows: 0,
    };
    const unexported = months.filter((m) => m.file === null);
    if (unexported.length) {
      outcome.exported = await this.export(unexported, args.out);
      outcome.file = args.out;
    }
    for (const month of months) {
      const deleted = await this.allocation.emptyArchivedMonth(month.month);
      outcome.jobDayRows += month.jobDayRows + deleted.jobDayRows;
      outcome.daySumRows += month.daySumRows + deleted.daySumRows;
    }
    return outcome;
  }

  /**
   * Writes the months' FOCUS rows (idle kept separate, the export's default) to the file, and
   * records it once the file is complete and checked: it must hold every job-day row of the
   * months, which are still all there (deletion starts after the record). A file that fails the
   * check never gets its name.
   */
  private async export(months: MonthInProgress[], file: string): Promise<ArchiveFileContents> {
    const start = `${months[0].month}-01`;
    const end = addDays(monthAfter(months[months.length - 1].month), -1);
    // The months are closed and none of their rows is deleted yet: these are all the export must hold.
    const jobDays = (await this.allocation.planArchive(monthAfter(months[months.length - 1].month).slice(0, 7)))
      .filter((m) => months.some((x) => x.month === m.month))
      .reduce((sum, m) => sum + m.jobDayRows, 0);
    const contents = await writeArchiveFile(
      file,
      (out) => this.focus.writeClosedMonths(out, start, end),
      (written) => {
        if (written.jobDayRows === jobDays) return;
        throw new ArchiveCheckError(
          `The export of ${start} … ${end} held ${written.jobDayRows} job-day rows where the allocation has ` +
            `${jobDays}: nothing was written or deleted; run the command again`,
        );
      },
    );
    await this.allocation.recordArchiveFile(
      months.map((m) => m.month),
      file,
    );
    return contents;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
