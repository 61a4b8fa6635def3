import { type RunConfig, resolveRunConfig } from '@lstmkit/trainer/config';

/** A `start` event's config for the textbook recipe, as the trainer resolves it. */
export const textbookStartConfig: RunConfig = resolveRunConfig({ preset: 'textbook', epochs: 3 });
