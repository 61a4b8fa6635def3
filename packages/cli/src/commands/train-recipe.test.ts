import { modelPresets } from '@lstmkit/model';
import { trainDefaults } from '@lstmkit/trainer';
import { describe, expect, it } from 'vitest';
import type { TrainCliOptions } from '../options/train-options.js';
import { describeRecipe } from './train-recipe.js';

const base: TrainCliOptions = {
  data: 'uci-sentiment',
  load: {},
  preset: 'textbook',
  model: {},
  vocabulary: {},
  backend: 'auto',
  outDir: '/tmp/x',
  resume: false,
  force: false,
  json: false,
};

describe('describeRecipe', () => {
  it('fills in the textbook preset and the trainer defaults', () => {
    const recipe = describeRecipe({ ...base, epochs: 3 }, modelPresets.textbook, trainDefaults);
    expect(recipe.model).toBe(
      'textbook preset · lstm · embedding 50 · 2×100 units · dropout 0.8 · head last · 50 tokens',
    );
    expect(recipe.training).toBe('batch 32 · lr 0.001 · 3 epochs · patience 3 · seed 42');
  });

  it('shows what the flags override', () => {
    const recipe = describeRecipe(
      { ...base, model: { arch: 'bilstm', hiddenSize: 8 }, sequenceLength: 20, patience: 0 },
      modelPresets.textbook,
      trainDefaults,
    );
    expect(recipe.model).toContain('bilstm (concat) · embedding 50 · 2×8 units');
    expect(recipe.model).toContain('20 tokens');
    expect(recipe.training).toContain('no early stopping');
  });
});
