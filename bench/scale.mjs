// `pnpm bench:scale`: does training stay within memory and at a constant time per sentence as
// the data grows? For each size N it writes (once, cached) a synthetic Amazon-polarity fastText
// file of N lines (bench/synthetic-amazon.mjs), trains 1 epoch on it with the real command
//
//   node packages/cli/dist/bin.js train --data FILE --preset default --seq-len 128 --epochs 1 \
//     --out DIR --json
//
// as a child process, samples the peak RSS of the child and its descendants (VmRSS summed over
// the process tree every 200 ms, and the child's own VmHWM, from /proc), and records wall time,
// seconds per pass ('pass' lines of the progress output: digest, count, encode, validation,
// test, when the trainer reports them; the epoch line) and training sentences/s (train size /
// seconds per epoch). Writes bench-results/scale-<time>.json and prints a table.
//
//   pnpm bench:scale                                     # 100k, 1M and 3.6M lines
//   pnpm bench:scale --lines 20000                       # a quick check of the harness
//   pnpm bench:scale --train-seconds 300                 # stop each epoch after 5 minutes (Ctrl-C)
//
// With --train-seconds the run is interrupted (SIGINT, as Ctrl-C) that long after its first
// training step; sentences/s then come from the run's report (its steps so far), and the passes
// over the data (digest, count, encode) still run in full, so their seconds and the peak RSS
// are those of the whole file. That is how the 3.6M case fits a session: a full epoch of it
// trains for hours on 2 cores.
//   node bench/scale.mjs --lines 100000,1000000 --seed 2 -- --batch-size 64   # extra train flags
//
// Generated files are kept in $TMPDIR/lstmkit-scale/ (amazon-<N>-seed<S>.ft.txt, ~580 bytes a
// line: 2.1 GB at 3.6M) and reused; the models are written to a temp dir and deleted.
// Run it on a quiet machine (the 3.6M case trains for hours on 2 cores); it runs under nice.
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args, positionals: trainExtra } = parseArgs({
  options: {
    lines: { type: 'string', default: '100000,1000000,3600000' },
    seed: { type: 'string', default: '1' },
    'train-seconds': { type: 'string' },
  },
  allowPositionals: true,
});
const sizes = args.lines.split(',').map((n) => Number(n.trim()));
if (sizes.some((n) => !Number.isInteger(n) || n < 100)) {
  console.error('usage: node bench/scale.mjs [--lines 100000,1000000] [--seed S] [-- train flags]');
  process.exit(2);
}
const seed = Number(args.seed);
const trainSeconds =
  args['train-seconds'] === undefined ? undefined : Number(args['train-seconds']);
const bin = join(root, 'packages', 'cli', 'dist', 'bin.js');
if (!existsSync(bin)) {
  console.error(`no ${bin}: build first (pnpm bench:scale builds the CLI)`);
  process.exit(1);
}
const cacheDir = join(tmpdir(), 'lstmkit-scale');
mkdirSync(cacheDir, { recursive: true });

/** The synthetic file of `lines` lines, generated once per size and seed. */
function dataFile(lines) {
  const file = join(cacheDir, `amazon-${lines}-seed${seed}.ft.txt`);
  if (existsSync(file)) return file;
  const partial = `${file}.${process.pid}.tmp`;
  const run = spawnSync(
    process.execPath,
    [
      join(root, 'bench', 'synthetic-amazon.mjs'),
      '--lines',
      String(lines),
      '--out',
      partial,
      '--seed',
      String(seed),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (run.status !== 0) throw new Error(`synthetic-amazon.mjs failed (exit ${run.status})`);
  process.stderr.write(`generated ${run.stdout}`);
  renameSync(partial, file);
  return file;
}

/** kB of a /proc/<pid>/status field, or 0 when the process is gone. */
function statusKb(pid, field) {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** The process and all its descendants (children of every thread, recursively). */
function processTree(pid) {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    try {
      for (const task of readdirSync(`/proc/${all[i]}/task`)) {
        const children = readFileSync(`/proc/${all[i]}/task/${task}/children`, 'utf8').trim();
        if (children !== '') all.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // gone between the listing and the read
    }
  }
  return all;
}

/** "4.3s", "1m15s", "2h01m" (the CLI's formatDuration) back to seconds. */
function parseDuration(text) {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:([\d.]+)s)?$/.exec(text);
  if (match === null || text === '') return null;
  const [, h = '0', m = '0', s = '0'] = match;
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

/** Seconds per pass and the train size, from the progress lines the CLI writes when not on a TTY. */
function parseProgress(stderr) {
  const passes = {};
  for (const [, pass, took] of stderr.matchAll(/^(\w+) +done +.* in (\S+) · /gm)) {
    passes[pass] = (passes[pass] ?? 0) + (parseDuration(took) ?? 0);
  }
  for (const [, pass] of stderr.matchAll(/^(\w+) +cached/gm)) passes[pass] = 'cached';
  const epoch = /^epoch 1\/1 (?!.*ETA).* (\S+)$/m.exec(stderr);
  if (epoch) passes.epoch = parseDuration(epoch[1]);
  const split = /^split ([\d,]+) train · ([\d,]+) validation · ([\d,]+) test/m.exec(stderr);
  const count = (text) => Number(text.replaceAll(',', ''));
  return {
    passes,
    split: split
      ? { train: count(split[1]), validation: count(split[2]), test: count(split[3]) }
      : null,
  };
}

function train(lines) {
  const data = dataFile(lines);
  const work = join(tmpdir(), `lstmkit-scale-run-${process.pid}-${lines}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const argv = [
    ...['train', '--data', data, '--preset', 'default', '--seq-len', '128', '--epochs', '1'],
    ...['--out', join(work, 'model'), '--json', ...trainExtra],
  ];
  process.stderr.write(`\n${lines.toLocaleString('en-US')} lines: lstmkit ${argv.join(' ')}\n`);
  return new Promise((done) => {
    const started = performance.now();
    const child = spawn('nice', ['-n', '10', process.execPath, bin, ...argv], {
      cwd: work,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
    });
    let stopTimer;
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
      process.stderr.write(chunk);
      if (trainSeconds !== undefined && stopTimer === undefined && /^epoch 1\/1 /m.test(stderr)) {
        stopTimer = setTimeout(() => child.kill('SIGINT'), trainSeconds * 1000);
      }
    });
    // `nice` execs node, so the child's pid is node's.
    let peakTreeKb = 0;
    let peakHwmKb = 0;
    const sample = () => {
      const tree = processTree(child.pid);
      peakTreeKb = Math.max(
        peakTreeKb,
        tree.reduce((sum, pid) => sum + statusKb(pid, 'VmRSS'), 0),
      );
      peakHwmKb = Math.max(peakHwmKb, statusKb(child.pid, 'VmHWM'));
    };
    const timer = setInterval(sample, 200);
    child.on('close', (code) => {
      clearInterval(timer);
      clearTimeout(stopTimer);
      const reportPath = join(work, 'model.report', 'report.json');
      const report = existsSync(reportPath) ? JSON.parse(readFileSync(reportPath, 'utf8')) : null;
      const wallSeconds = (performance.now() - started) / 1000;
      const resultLine = stdout.split('\n').findLast((line) => line.startsWith('{'));
      const result = resultLine ? JSON.parse(resultLine) : null;
      const { passes, split } = parseProgress(stderr);
      const secondsPerEpoch = result?.secondsPerEpoch ?? passes.epoch ?? null;
      const interrupted = result?.interrupted === true;
      rmSync(work, { recursive: true, force: true });
      done({
        lines,
        exitCode: code,
        interrupted,
        stepsTrained: result?.stoppedAt?.globalStep ?? null,
        wallSeconds: Number(wallSeconds.toFixed(1)),
        peakRssMB: Math.round(Math.max(peakTreeKb, peakHwmKb) / 1024),
        peakRssSampledTreeMB: Math.round(peakTreeKb / 1024),
        peakHwmMB: Math.round(peakHwmKb / 1024),
        split,
        secondsPerEpoch,
        trainSentencesPerSecond: report?.timings?.trainSentencesPerSecond
          ? Math.round(report.timings.trainSentencesPerSecond)
          : split && secondsPerEpoch
            ? Math.round(split.train / secondsPerEpoch)
            : null,
        secondsPerPass: passes,
        testAccuracy: result?.test?.accuracy ?? null,
        error:
          code === 0 || interrupted ? undefined : stderr.trim().split('\n').slice(-2).join(' '),
      });
    });
  });
}

const loadBefore = loadavg();
const runs = [];
for (const lines of sizes) runs.push(await train(lines));

const fmt = (x, digits = 0) =>
  typeof x === 'number'
    ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : (x ?? '-');
const passNames = [...new Set(runs.flatMap((r) => Object.keys(r.secondsPerPass)))];
console.log('\nlstmkit train, 1 epoch, default preset, --seq-len 128, synthetic Amazon polarity');
console.log(
  `| lines | peak RSS (MB) | wall (s) | train sent/s | ${passNames.map((p) => `${p} (s)`).join(' | ')} | test acc |`,
);
console.log(`|---|---|---|---|${passNames.map(() => '---|').join('')}---|`);
for (const r of runs) {
  const passes = passNames.map((p) => fmt(r.secondsPerPass[p], 1)).join(' | ');
  console.log(
    `| ${fmt(r.lines)} | ${fmt(r.peakRssMB)} | ${fmt(r.wallSeconds, 1)} | ${fmt(r.trainSentencesPerSecond)} | ${passes} | ${r.interrupted ? `stopped after ${fmt(r.stepsTrained)} steps` : r.exitCode === 0 ? fmt(r.testAccuracy, 3) : `failed (exit ${r.exitCode})`} |`,
  );
}

const outDir = join(root, 'bench-results');
mkdirSync(outDir, { recursive: true });
const file = join(outDir, `scale-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  `${JSON.stringify(
    {
      benchmark: 'scale',
      date: new Date().toISOString(),
      node: process.version,
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      loadAverage: [loadBefore[0], loadavg()[0]],
      command: 'lstmkit train --data FILE --preset default --seq-len 128 --epochs 1 --json',
      extraTrainFlags: trainExtra,
      trainSeconds: trainSeconds ?? null,
      data: `bench/synthetic-amazon.mjs --seed ${seed}`,
      runs,
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote ${file}`);
if (runs.some((r) => r.exitCode !== 0 && !r.interrupted)) process.exitCode = 1;
