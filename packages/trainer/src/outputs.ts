import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { type HistoryRow, historyToJsonl } from './history.js';
import { renderTrainingSvg } from './plot.js';

/**
 * Where a run writes. The bundle directory holds only what `saveBundle` puts there (its
 * manifest hashes every file); reports and resumable state live in sibling directories.
 */
export interface OutputPaths {
  bundleDir: string;
  reportDir: string;
  runDir: string;
  reportPath: string;
  historyPath: string;
  plotPath: string;
}

export function outputPaths(outDir: string): OutputPaths {
  const bundleDir = resolve(outDir);
  const reportDir = `${bundleDir}.report`;
  return {
    bundleDir,
    reportDir,
    runDir: `${bundleDir}.run`,
    reportPath: join(reportDir, 'report.json'),
    historyPath: join(reportDir, 'history.jsonl'),
    plotPath: join(reportDir, 'training.svg'),
  };
}

/** Rewritten whole at each evaluation: small, and always consistent with the run state. */
export async function writeHistory(
  paths: OutputPaths,
  rows: readonly HistoryRow[],
  title: string,
): Promise<void> {
  await mkdir(paths.reportDir, { recursive: true });
  await writeFileAtomic(paths.historyPath, historyToJsonl(rows));
  await writeFileAtomic(paths.plotPath, renderTrainingSvg(rows, title));
}

export async function writeReport(
  paths: OutputPaths,
  report: Record<string, unknown>,
): Promise<void> {
  await mkdir(paths.reportDir, { recursive: true });
  await writeFileAtomic(paths.reportPath, `${JSON.stringify(report, null, 2)}\n`);
}
