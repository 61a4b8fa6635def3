import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PackedPackage,
  packWorkspacePackages,
  publishedPackages,
  run,
  runPnpm,
} from './fixtures/packing';

// Users install one tarball into their own project with npm; this does exactly that, outside the
// workspace, so hoisting or workspace links cannot hide a missing dependency or export.

const repoRoot = resolve(import.meta.dirname, '..');
let workDir: string;
let packed: PackedPackage[];

const tarballDependencies = (names: readonly string[]) =>
  Object.fromEntries(
    packed.filter((p) => names.includes(p.name)).map((p) => [p.name, `file:${p.tarball}`]),
  );

function createConsumer(dir: string, names: readonly string[]): string {
  mkdirSync(dir, { recursive: true });
  const dependencies = tarballDependencies(names);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      { name: 'consumer', version: '1.0.0', private: true, dependencies, overrides: dependencies },
      null,
      2,
    ),
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], dir);
  return dir;
}

const node = (cwd: string, args: string[]) => run(process.execPath, args, cwd);

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'lstmkit-pack-'));
  packed = packWorkspacePackages(repoRoot, workDir);
});

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('packed tarballs', () => {
  it('ship only dist, README, LICENSE and CHANGELOG', () => {
    expect(packed.map((p) => p.name).sort()).toEqual([...publishedPackages].sort());
    for (const pkg of packed) {
      const unexpected = pkg.files.filter(
        (file) =>
          !/^package\/(dist\/.+|package\.json|README\.md|LICENSE|CHANGELOG\.md)$/.test(file),
      );
      expect(unexpected, pkg.name).toEqual([]);
      expect(pkg.files, pkg.name).toContain('package/README.md');
      expect(pkg.files, pkg.name).toContain('package/LICENSE');
      expect(pkg.files, pkg.name).toContain('package/CHANGELOG.md');
      expect(
        pkg.files.some((f) => f.endsWith('.d.ts')),
        pkg.name,
      ).toBe(true);
      expect(
        pkg.files.some((f) => f.endsWith('.cjs')),
        pkg.name,
      ).toBe(true);
    }
  });
});

describe('publishing', () => {
  it('dry-runs a publish of every package with workspace ranges rewritten', () => {
    const output = runPnpm(['publish', '-r', '--dry-run', '--no-git-checks'], repoRoot);
    for (const pkg of packed) expect(output).toContain(`+ ${pkg.name}@`);
    for (const pkg of packed) {
      const manifest = run('tar', ['-xzOf', pkg.tarball, 'package/package.json'], workDir);
      expect(manifest, pkg.name).not.toContain('workspace:');
    }
  });
});

describe('@lstmkit/preprocess installed alone', () => {
  let dir: string;
  beforeAll(() => {
    dir = createConsumer(join(workDir, 'preprocess-only'), ['@lstmkit/preprocess']);
  });

  it('has no TensorFlow in its dependency tree', () => {
    const tree = run('npm', ['ls', '--all', '--json'], dir);
    expect(tree).not.toContain('@tensorflow');
    expect(readdirSync(join(dir, 'node_modules')).sort()).not.toContain('@tensorflow');
  });

  it('encodes text from ESM and CJS identically', () => {
    const script = (load: string) =>
      `${load}
const pipeline = TextPipeline.fit(['a good film', 'a bad film', 'good good'], pipelinePresets.textbook);
console.log(JSON.stringify(Array.from(pipeline.encode('A good, GOOD film!'))));`;
    const esm = node(dir, [
      '--input-type=module',
      '-e',
      script(`import { TextPipeline, pipelinePresets } from '@lstmkit/preprocess';`),
    ]);
    const cjs = node(dir, [
      '--input-type=commonjs',
      '-e',
      script(`const { TextPipeline, pipelinePresets } = require('@lstmkit/preprocess');`),
    ]);
    const ids = JSON.parse(esm) as number[];
    expect(ids).toHaveLength(50);
    expect(ids.filter((id) => id !== 0)).toHaveLength(4);
    expect(cjs).toBe(esm);
  });
});

describe('all packages installed together', () => {
  let dir: string;
  beforeAll(() => {
    dir = createConsumer(join(workDir, 'full'), publishedPackages);
    writeFileSync(
      join(dir, 'data.tsv'),
      Array.from({ length: 80 }, (_, i) =>
        i % 2 ? `what a great and lovely film ${i}\t1` : `an awful and boring mess ${i}\t0`,
      ).join('\n'),
    );
  });

  it('imports every package from ESM and CJS', () => {
    for (const name of publishedPackages) {
      const esm = node(dir, [
        '--input-type=module',
        '-e',
        `import * as m from '${name}'; console.log(Object.keys(m).length);`,
      ]);
      const cjs = node(dir, [
        '--input-type=commonjs',
        '-e',
        `console.log(Object.keys(require('${name}')).length);`,
      ]);
      expect(Number(esm), name).toBeGreaterThan(0);
      expect(cjs, name).toBe(esm);
    }
  });

  it('trains, saves, loads and predicts through the public APIs', () => {
    const output = node(dir, [
      '--input-type=module',
      '-e',
      `
import { loadDataset } from '@lstmkit/preprocess/node';
import { Classifier, initBackend } from '@lstmkit/model';
import { train } from '@lstmkit/trainer';
await initBackend({ log: () => {} });
const dataset = await loadDataset('data.tsv');
await train({
  dataset, outDir: 'bundle', epochs: 3, seed: 7, batchSize: 16,
  model: { embeddingDim: 8, hiddenSize: 8, layers: 1, recurrentInitializer: 'glorotUniform', dropout: 0 },
  learningRate: 0.01, pipeline: { sequence: { length: 12, padding: 'pre', truncating: 'post' } },
});
const classifier = await Classifier.load('bundle');
const [good, bad] = classifier.predict(['a great and lovely film', 'an awful and boring mess']);
console.log(JSON.stringify({ good: good.probability, bad: bad.probability }));
`,
    ]);
    const { good, bad } = JSON.parse(output.trim().split('\n').at(-1)!) as {
      good: number;
      bad: number;
    };
    expect(good).toBeGreaterThan(bad);
  });

  it('runs the lstmkit binary', () => {
    const bin = join(dir, 'node_modules', '.bin', 'lstmkit');
    expect(run(bin, ['--version'], dir).trim()).toMatch(/^\d+\.\d+\.\d+/);
    const prediction = JSON.parse(
      run(bin, ['predict', '--model', 'bundle', '--json', 'a great film'], dir).trim(),
    );
    expect(prediction).toMatchObject({ text: 'a great film', labelIndex: expect.any(Number) });
    expect(typeof prediction.probability).toBe('number');
  });

  it('type-checks a consumer file against the published .d.ts', () => {
    writeFileSync(
      join(dir, 'consumer.ts'),
      `import { TextPipeline, pipelinePresets, type Example } from '@lstmkit/preprocess';
import { loadDataset } from '@lstmkit/preprocess/node';
import { Classifier, createModel, type ModelConfig } from '@lstmkit/model';
import { train, type TrainResult } from '@lstmkit/trainer';
import { startServer } from '@lstmkit/server';
const examples: Example[] = [{ text: 'good', label: 1 }];
const pipeline: TextPipeline = TextPipeline.fit(examples.map((e) => e.text), pipelinePresets.textbook);
const ids: Int32Array = pipeline.encode('good');
export async function main(config: ModelConfig): Promise<number> {
  const dataset = await loadDataset('data.tsv');
  const result: TrainResult = await train({ dataset, outDir: 'bundle' });
  createModel(config).dispose();
  const classifier = await Classifier.load(result.bundleDir);
  const server = await startServer({ modelDir: result.bundleDir, port: 0 });
  await server.close();
  return classifier.predict(['good'])[0]!.probability + ids.length;
}
`,
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'node16',
          moduleResolution: 'node16',
          target: 'es2022',
          noEmit: true,
          skipLibCheck: true,
          lib: ['es2022', 'dom'],
          types: [],
        },
        files: ['consumer.ts'],
      }),
    );
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() => node(dir, [tsc, '-p', '.'])).not.toThrow();
  });
});
