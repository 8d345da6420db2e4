import { InitialSchema1767225600000 } from './1767225600000-InitialSchema';
import { JobsListingIndexes1767225700000 } from './1767225700000-JobsListingIndexes';
import { Allocation1767225800000 } from './1767225800000-Allocation';
import { AllocationFromJobDays1767225900000 } from './1767225900000-AllocationFromJobDays';
import { AllocationByChangedJobs1767226000000 } from './1767226000000-AllocationByChangedJobs';
import { CheaperNewJobs1767226100000 } from './1767226100000-CheaperNewJobs';
import { RevocableTokens1767226200000 } from './1767226200000-RevocableTokens';
import { JobUuidColumns1767226300000 } from './1767226300000-JobUuidColumns';
import { RunLiveness1767226700000 } from './1767226700000-RunLiveness';
import { Alerts1767226800000 } from './1767226800000-Alerts';
import { AlertSeries1767226900000 } from './1767226900000-AlertSeries';
import { Capacity1767227000000 } from './1767227000000-Capacity';
import { AlertSeriesVersions1767227060000 } from './1767227060000-AlertSeriesVersions';
import { JobLabelsAndUtilization1767227100000 } from './1767227100000-JobLabelsAndUtilization';
import { LabelAllocation1767227150000 } from './1767227150000-LabelAllocation';
import { TeamModelMonths1767227200000 } from './1767227200000-TeamModelMonths';
import { ArchivedMonths1767227400000 } from './1767227400000-ArchivedMonths';
import { DirtyCellRuns1767227500000 } from './1767227500000-DirtyCellRuns';
import { StatusIndexWithoutCompleted1767227600000 } from './1767227600000-StatusIndexWithoutCompleted';

/**
 * Listed explicitly rather than globbed, so that the app, the CLI and Jest's global setup load
 * them the same way. A unit test fails when a file in this folder is missing from the list.
 */
export const MIGRATIONS = [
  InitialSchema1767225600000,
  JobsListingIndexes1767225700000,
  Allocation1767225800000,
  AllocationFromJobDays1767225900000,
  AllocationByChangedJobs1767226000000,
  CheaperNewJobs1767226100000,
  RevocableTokens1767226200000,
  JobUuidColumns1767226300000,
  RunLiveness1767226700000,
  Alerts1767226800000,
  AlertSeries1767226900000,
  Capacity1767227000000,
  AlertSeriesVersions1767227060000,
  JobLabelsAndUtilization1767227100000,
  LabelAllocation1767227150000,
  TeamModelMonths1767227200000,
  ArchivedMonths1767227400000,
  DirtyCellRuns1767227500000,
  StatusIndexWithoutCompleted1767227600000,
];
