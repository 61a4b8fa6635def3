import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The path `pnpm bench:scale` measures at 100k-3.6M lines, on a small generated file: the
// synthetic Amazon generator, then `lstmkit train` streaming it into shards, validating on a
// capped validation set, and a second run reusing the encoded data.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = createRequire(import.meta.url)
  .resolve('@lstmkit/cli/package.json')
  .replace(/package\.json$/, 'dist/bin.js');
const work = mkdtempSync(join(tmpdir(), 'lstmkit-scale-path-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = (args: string[]) =>
  execFileSync(process.execPath, args, {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

describe('the scale benchmark path on a small file', () => {
  const data = join(work, 'amazon.ft.txt');
  const out = join(work, 'model');
  const train = [
    bin,
    ...['train', '--data', data, '--out', out, '--preset', 'default', '--seq-len', '32'],
    ...['--epochs', '1', '--embedding-dim', '8', '--hidden-size', '8', '--max-validation', '100'],
    '--json',
  ];

  it('generates the file, trains from its shards with a capped validation set, then reuses them', () => {
    const generated = JSON.parse(
      run([join(root, 'bench', 'synthetic-amazon.mjs'), '--lines', '3000', '--out', data]),
    );
    expect(generated.lines).toBe(3000);
    expect(readFileSync(data, 'utf8').split('\n')[0]).toMatch(/^__label__[12] \S/);

    const result = JSON.parse(run(train).trim().split('\n').at(-1)!);
    expect(result.labelNames).toEqual(['1', '2']);
    const report = JSON.parse(readFileSync(`${out}.report/report.json`, 'utf8'));
    const { sizes } = report.dataset;
    expect(report.dataset.records).toBe(3000);
    expect(sizes.validation).toBe(100);
    expect(sizes.train + sizes.test + sizes.validation).toBe(3000);
    expect(report.dataset.validationToTrain).toBeGreaterThan(100);
    expect(result.test.count).toBe(sizes.test);
    expect(readdirSync(`${out}.data`).sort()).toEqual([
      'manifest.json',
      'pipeline.json',
      'test-00000.bin',
      'train-00000.bin',
      'validation-00000.bin',
    ]);

    const again = JSON.parse(run(train).trim().split('\n').at(-1)!);
    expect(again.test).toEqual(result.test);
    const second = JSON.parse(readFileSync(`${out}.report/report.json`, 'utf8'));
    expect(second.dataset.cached).toBe(true);
  }, 300_000);
});
