import { trainDefaults } from '@lstmkit/trainer';
import { describe, expect, it } from 'vitest';
import { shownDefaults } from './train-command.js';

describe('lstmkit train --help', () => {
  it('shows the trainer defaults', () => {
    expect(shownDefaults).toEqual({
      epochs: trainDefaults.epochs,
      batchSize: trainDefaults.batchSize,
      learningRate: trainDefaults.learningRate,
      patience: trainDefaults.patience,
      seed: trainDefaults.seed,
    });
  });
});
