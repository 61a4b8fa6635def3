#!/usr/bin/env node
// The textbook job end to end, with the real `lstmkit` command: look at the UCI sentences,
// train the textbook LSTM, evaluate it on the held-out test split, and classify the book's
// examples. Run from the repository root with `pnpm demo` (which builds first), or
// `node apps/cli/demo.mjs [--epochs N] [--out DIR]`.
//
// Ctrl-C stops training cleanly; running the demo again resumes where it stopped.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const bin = join(here, 'bin.mjs');

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '3' },
    out: { type: 'string', default: join(root, 'runs', 'textbook') },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write('usage: node apps/cli/demo.mjs [--epochs N] [--out DIR]\n');
  process.exit(0);
}

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (text) => (color ? `\u001b[1m${text}\u001b[22m` : text);
const dim = (text) => (color ? `\u001b[2m${text}\u001b[22m` : text);
const show = (path) => relative(process.cwd(), path) || '.';

const env = { ...process.env };
if (!env.LSTMKIT_DATA_HOME) {
  const shared = resolve(root, '../shared/data');
  if (existsSync(join(shared, 'uci-sentiment'))) {
    env.LSTMKIT_DATA_HOME = shared;
    process.stdout.write(dim(`LSTMKIT_DATA_HOME is not set; using ${shared}\n`));
  }
}

// The demo's own Ctrl-C is handled by the lstmkit child (same process group): it stops
// training cleanly and exits 130; the demo then says how to continue.
process.on('SIGINT', () => {});

const out = resolve(values.out);
const steps = [
  ['Look at the data', ['data', 'uci-sentiment', '--preset', 'textbook']],
  [
    'Train the textbook model (embedding 50, 2 x LSTM 100, dropout 0.8, 50 tokens)',
    // --resume continues an interrupted demo run, and starts fresh when there is none.
    [
      'train',
      '--data',
      'uci-sentiment',
      '--preset',
      'textbook',
      '--epochs',
      values.epochs,
      '--out',
      show(out),
      '--resume',
    ],
  ],
  [
    'Evaluate on the held-out test split',
    ['evaluate', '--model', show(out), '--data', 'uci-sentiment'],
  ],
  [
    "Classify the book's examples",
    [
      'predict',
      '--model',
      show(out),
      'The film was good',
      'It was not good',
      'This product was very poor quality',
    ],
  ],
];

function run(args) {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: 'inherit', env });
    child.on('error', fail);
    child.on('close', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

const quote = (arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `"${arg}"`);
const started = Date.now();
for (const [index, [title, args]] of steps.entries()) {
  process.stdout.write(
    `\n${bold(`${index + 1}/${steps.length} ${title}`)}\n${dim(`$ lstmkit ${args.map(quote).join(' ')}`)}\n\n`,
  );
  const code = await run(args);
  if (code === 130) {
    process.stdout.write(`\nDemo stopped. Run it again to resume training where it stopped.\n`);
    process.exit(130);
  }
  if (code !== 0) {
    process.stdout.write(`\nDemo step ${index + 1} failed (exit code ${code}).\n`);
    process.exit(code);
  }
}

const seconds = Math.round((Date.now() - started) / 1000);
const took = seconds < 90 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
process.stdout.write(`
${bold(`Done in ${took}.`)} Everything is under ${show(dirname(out))}/:
  ${show(out)}/            the model bundle (model.json, weights.bin, preprocess.json, manifest.json)
  ${show(out)}.report/     report.json, history.jsonl and training.svg (loss and accuracy per epoch)

Next:
  node apps/cli/bin.mjs predict --model ${show(out)} "your own sentence"
  node apps/cli/bin.mjs serve --model ${show(out)}
`);
