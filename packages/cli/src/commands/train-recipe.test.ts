import { describe, expect, it } from 'vitest';
import { textbookStartConfig } from '../__fixtures__/start-config.js';
import { describeRecipe } from './train-recipe.js';

describe('describeRecipe', () => {
  it('describes the textbook recipe', () => {
    const recipe = describeRecipe(textbookStartConfig);
    expect(recipe.model).toBe(
      'textbook preset · lstm · embedding 50 · 2×100 units · dropout 0.8 · head last · 50 tokens',
    );
    expect(recipe.training).toBe('batch 32 · lr 0.001 · 3 epochs · patience 3 · seed 42');
  });

  it('names the merge mode of a BiLSTM and says when early stopping is off', () => {
    const recipe = describeRecipe({
      ...textbookStartConfig,
      model: { ...textbookStartConfig.model, arch: 'bilstm', hiddenSize: 8 },
      pipeline: {
        ...textbookStartConfig.pipeline,
        sequence: { ...textbookStartConfig.pipeline.sequence, length: 20 },
      },
      epochs: 1,
      patience: 0,
    });
    expect(recipe.model).toContain('bilstm (concat) · embedding 50 · 2×8 units');
    expect(recipe.model).toContain('20 tokens');
    expect(recipe.training).toBe('batch 32 · lr 0.001 · 1 epoch · no early stopping · seed 42');
  });

  it('says what the training features change', () => {
    const recipe = describeRecipe({
      ...textbookStartConfig,
      embeddings: { path: 'v.txt', keepMissing: 0 },
      lrSchedule: { ...textbookStartConfig.lrSchedule, type: 'cosine', warmupSteps: 100 },
      weightDecay: 0.01,
      classWeight: 'balanced',
    });
    expect(recipe.model).toContain('embedding 50 (pretrained)');
    expect(recipe.training).toBe(
      'batch 32 · lr 0.001 (cosine, warmup 100) · weight decay 0.01 · class weight balanced · 3 epochs · patience 3 · seed 42',
    );
  });
});
