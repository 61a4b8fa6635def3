import type { RunConfig } from '@lstmkit/trainer/config';

/**
 * The two lines `lstmkit train` prints when training starts: the model and the optimisation as
 * the trainer resolved them (preset, flags and defaults), so a log says what was trained.
 */
export function describeRecipe(config: RunConfig): { model: string; training: string } {
  const m = config.model;
  const arch = m.arch === 'bilstm' ? `bilstm (${m.mergeMode})` : 'lstm';
  const model = [
    config.initFrom ? 'fine-tuning a bundle' : `${config.preset} preset`,
    arch,
    `embedding ${m.embeddingDim}${config.embeddings ? ' (pretrained)' : ''}`,
    `${m.layers}×${m.hiddenSize} units`,
    `dropout ${m.dropout}`,
    `head ${m.head}`,
    `${config.pipeline.sequence.length} tokens`,
  ].join(' · ');
  const training = [
    `batch ${config.batchSize}`,
    `lr ${config.learningRate}${describeSchedule(config)}`,
    ...(config.weightDecay > 0 ? [`weight decay ${config.weightDecay}`] : []),
    ...(config.classWeight ? [`class weight ${config.classWeight}`] : []),
    `${config.epochs} epoch${config.epochs === 1 ? '' : 's'}`,
    config.patience === 0 ? 'no early stopping' : `patience ${config.patience}`,
    `seed ${config.seed}`,
  ].join(' · ');
  return { model, training };
}

/** ` (cosine, warmup 100)`, or nothing for a constant rate without warmup. */
function describeSchedule(config: RunConfig): string {
  const { type, warmupSteps } = config.lrSchedule;
  const parts = [
    ...(type === 'constant' ? [] : [type]),
    ...(warmupSteps > 0 ? [`warmup ${warmupSteps}`] : []),
  ];
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}
