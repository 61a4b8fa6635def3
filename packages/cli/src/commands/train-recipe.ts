import type { RunConfig } from '@lstmkit/trainer/config';

/**
 * The two lines `lstmkit train` prints when training starts: the model and the optimisation as
 * the trainer resolved them (preset, flags and defaults), so a log says what was trained.
 */
export function describeRecipe(config: RunConfig): { model: string; training: string } {
  const m = config.model;
  const arch = m.arch === 'bilstm' ? `bilstm (${m.mergeMode})` : 'lstm';
  const model = [
    `${config.preset} preset`,
    arch,
    `embedding ${m.embeddingDim}`,
    `${m.layers}×${m.hiddenSize} units`,
    `dropout ${m.dropout}`,
    `head ${m.head}`,
    `${config.pipeline.sequence.length} tokens`,
  ].join(' · ');
  const training = [
    `batch ${config.batchSize}`,
    `lr ${config.learningRate}`,
    `${config.epochs} epoch${config.epochs === 1 ? '' : 's'}`,
    config.patience === 0 ? 'no early stopping' : `patience ${config.patience}`,
    `seed ${config.seed}`,
  ].join(' · ');
  return { model, training };
}
