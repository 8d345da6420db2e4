/**
 * The line `npm run allocation:rebuild` prints when it is done. The benchmark reads the rebuild's
 * own time from it (without starting Node and the app), so both sides share this one format.
 */
export function rebuildReport(cells: number, ms: number): string {
  return `Allocation rebuilt: ${cells} (day, provider, gpu_type) cells in ${ms} ms`;
}

/** The rebuild's time in ms from a command's output, if it holds a rebuildReport line. */
export function rebuildMsOf(output: string): number | undefined {
  const match = /Allocation rebuilt: \d+ \(day, provider, gpu_type\) cells in (\d+) ms/.exec(output);
  return match ? Number(match[1]) : undefined;
}
