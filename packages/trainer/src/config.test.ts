import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pipelinePresets } from '@lstmkit/preprocess';
import { describe, expect, it } from 'vitest';
import { recipes, resolveRunConfig, trainDefaults, trainLimits } from './config.js';
import { lrScheduleDefaults } from './lr-schedule.js';

describe('resolveRunConfig', () => {
  it('is the preset recipe and the defaults, with one sequence length', () => {
    const config = resolveRunConfig({ preset: 'textbook' });
    expect(config).toEqual({
      preset: 'textbook',
      pipeline: {
        ...pipelinePresets.textbook,
        clean: expect.objectContaining(pipelinePresets.textbook.clean),
      },
      vocabulary: {},
      model: { ...recipes.textbook.model, seed: 42 },
      batchSize: 32,
      epochs: 10,
      learningRate: 0.001,
      clipNorm: 5,
      evalEvery: 0,
      patience: 3,
      seed: 42,
      split: { source: 'hashed', seed: 42, fractions: [0.8, 0.1, 0.1] },
      maxValidation: 20_000,
      freezeEmbeddings: 0,
      threshold: 0.5,
      thresholdMetric: 'f1',
      lrSchedule: { type: 'constant', ...lrScheduleDefaults },
      weightDecay: 0,
    });
    expect(config.pipeline.sequence.length).toBe(50);
    expect(resolveRunConfig().pipeline.sequence.length).toBe(64);
    expect(resolveRunConfig().preset).toBe(trainDefaults.preset);
  });

  it('merges a partial sequence override and records given splits as given', () => {
    const config = resolveRunConfig({ pipeline: { sequence: { length: 20 } }, givenSplits: true });
    expect(config.pipeline.sequence).toEqual({ length: 20, padding: 'pre', truncating: 'pre' });
    expect(config.split).toEqual({ source: 'given' });
  });

  it('names the field and the limit', () => {
    const message = (overrides: Parameters<typeof resolveRunConfig>[0]) => {
      try {
        resolveRunConfig(overrides);
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    };
    expect(message({ seed: 2 ** 32 })).toMatch(/'seed' must be an integer from 0 to 4294967295/);
    expect(message({ learningRate: 0 })).toMatch(/'learningRate' must be a number > 0 and <= 10/);
    expect(
      message({ pipeline: { sequence: { length: trainLimits.sequenceLength.max + 1 } } }),
    ).toMatch(/pipeline.sequence.length/);
    expect(message({ preset: 'big' as never })).toMatch(/'textbook' or 'default'/);
    expect(message({ freezeEmbeddings: true })).toMatch(/'freezeEmbeddings' must be used with/);
    expect(message({ initFrom: 'b', embeddings: 'v.txt' })).toMatch(
      /'embeddings' must be left out/,
    );
    expect(message({ initFrom: 'b', model: { layers: 2 } })).toMatch(/'model' must be left out/);
    expect(message({ threshold: 1 })).toMatch(/'threshold' must be 'auto' or a number in \(0, 1\)/);
    expect(message({ weightDecay: 1 })).toMatch(/'weightDecay' must be below 1/);
  });
});

describe('@lstmkit/trainer/config', () => {
  /** Relative imports of a source file and, through their `/config` entries, our packages. */
  async function reachable(file: string, seen = new Set<string>()): Promise<Set<string>> {
    if (seen.has(file)) return seen;
    seen.add(file);
    const source = await readFile(file, 'utf8');
    for (const [, spec] of source.matchAll(/^(?:import|export)[^'"]*from '([^']+)'/gm)) {
      if (spec!.startsWith('.')) {
        await reachable(resolve(dirname(file), spec!.replace(/\.js$/, '')) + '.ts', seen);
      } else if (spec!.startsWith('@lstmkit/')) {
        const [, pkg, entry] = spec!.match(/^@lstmkit\/([^/]+)(?:\/(.+))?$/)!;
        const packages = resolve(import.meta.dirname, '../..');
        await reachable(join(packages, pkg!, 'src', `${entry ?? 'index'}.ts`), seen);
      } else {
        seen.add(spec!);
      }
    }
    return seen;
  }

  it('loads without TensorFlow.js (the CLI reads its defaults and help before any command)', async () => {
    const modules = [...(await reachable(join(import.meta.dirname, 'config.ts')))];
    expect(modules.filter((m) => m.includes('@tensorflow'))).toEqual([]);
    expect(modules.some((m) => m.endsWith('model/src/config.ts'))).toBe(true);
  });
});
