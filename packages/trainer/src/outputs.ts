import { randomBytes } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  checkBundleDirectory,
  checkOwnedDirectory,
  followSymlink,
  LstmkitError,
  type Strangers,
} from '@lstmkit/model';
import { ATOMIC_TEMP, writeFileAtomic } from './atomic-write.js';
import { dataStrangers } from './file-data-store.js';
import { type HistoryRow, historyToJsonl } from './history.js';
import { type LearningRatePlot, renderTrainingSvg } from './plot.js';
import { runStateStrangers } from './run-state.js';

/**
 * Where a run writes. The bundle directory holds only what `saveBundle` puts there (its
 * manifest hashes every file); reports and resumable state live in sibling directories.
 */
export interface OutputPaths {
  bundleDir: string;
  reportDir: string;
  runDir: string;
  /** The encoded data, reused by a later run with the same data and recipe. */
  dataDir: string;
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
    dataDir: `${bundleDir}.data`,
    reportPath: join(reportDir, 'report.json'),
    historyPath: join(reportDir, 'history.jsonl'),
    plotPath: join(reportDir, 'training.svg'),
  };
}

const REPORT_FILES = ['report.json', 'history.jsonl', 'training.svg'];

/** A report directory of ours holds the three report files and their atomic-write temps. */
const reportStrangers: Strangers = async (_dir, names) =>
  names.filter((name) => !REPORT_FILES.includes(name.replace(ATOMIC_TEMP, '')));

/**
 * Checks, before any work, that a run may write `outDir` and its siblings: each is absent,
 * empty or ours (a symlinked `outDir` is followed), and the parent is writable. Otherwise an
 * error names what was found: nothing a user put there is ever replaced.
 */
export async function checkOutputs(outDir: string): Promise<OutputPaths> {
  const paths = outputPaths(await followSymlink(resolve(outDir)));
  await checkBundleDirectory(paths.bundleDir);
  await checkOwnedDirectory(paths.runDir, runStateStrangers, 'resumable run state');
  await checkOwnedDirectory(paths.reportDir, reportStrangers, 'training report');
  await checkOwnedDirectory(paths.dataDir, dataStrangers, 'encoded training data');
  await checkWritable(dirname(paths.bundleDir));
  return paths;
}

/** Fails now rather than at the first checkpoint, an epoch later. */
async function checkWritable(parent: string): Promise<void> {
  const probe = join(parent, `.lstmkit-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(parent, { recursive: true });
    await (await open(probe, 'wx')).close();
  } catch (cause) {
    throw new LstmkitError(
      'INVALID_OUTPUT_DIR',
      `Cannot write the output beside ${parent}: ${(cause as Error).message}`,
      { hint: 'Choose an output directory you can write to.', cause },
    );
  }
  await rm(probe, { force: true });
}

/** Rewritten whole at each evaluation: small, and always consistent with the run state. */
export async function writeHistory(
  paths: OutputPaths,
  rows: readonly HistoryRow[],
  title: string,
  learningRates?: LearningRatePlot,
): Promise<void> {
  await mkdir(paths.reportDir, { recursive: true });
  await writeFileAtomic(paths.historyPath, historyToJsonl(rows));
  await writeFileAtomic(paths.plotPath, renderTrainingSvg(rows, title, learningRates));
}

export async function writeReport(
  paths: OutputPaths,
  report: Record<string, unknown>,
): Promise<void> {
  await mkdir(paths.reportDir, { recursive: true });
  await writeFileAtomic(paths.reportPath, `${JSON.stringify(report, null, 2)}\n`);
}
