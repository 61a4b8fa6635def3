import type { Bundle } from '@lstmkit/model';
import { type Dataset, type DatasetSplits, type Example, LstmkitError } from '@lstmkit/preprocess';
import type { RunStore } from './run-store.js';

/**
 * The bundle a fine-tuning run starts from, and the data relabelled to its label order. Labels
 * are matched by name: the same set in another order is fine, any difference is an error that
 * names it (a new label would need a new output layer, a missing one would skew the head).
 */
export async function loadInitialBundle(
  loadBundle: RunStore['loadInitialBundle'],
  dir: string,
  dataset: Dataset,
  splits: DatasetSplits | undefined,
): Promise<{ bundle: Bundle; dataset: Dataset; splits: DatasetSplits | undefined }> {
  const bundle = await loadBundle(dir);
  const index = new Map(bundle.labelNames.map((name, i) => [name, i]));
  const extra = dataset.labelNames.filter((name) => !index.has(name));
  const absent = bundle.labelNames.filter((name) => !dataset.labelNames.includes(name));
  if (extra.length > 0 || absent.length > 0) {
    bundle.model.dispose();
    const list = (names: string[]) => names.map((n) => `'${n}'`).join(', ');
    throw new LstmkitError(
      'LABEL_MISMATCH',
      `Cannot fine-tune ${bundle.dir}: its labels are ${list(bundle.labelNames)}, the data's ${list(dataset.labelNames)}${extra.length > 0 ? `; not in the bundle: ${list(extra)}` : ''}${absent.length > 0 ? `; not in the data: ${list(absent)}` : ''}.`,
      {
        hint: 'Fine-tune on data with the labels the bundle was trained on, or train a new model.',
      },
    );
  }
  const mapping = dataset.labelNames.map((name) => index.get(name)!);
  const relabel = (examples: readonly Example[]) =>
    examples.map((e) => ({ ...e, label: mapping[e.label] ?? e.label }));
  return {
    bundle,
    dataset: {
      ...dataset,
      labelNames: [...bundle.labelNames],
      examples: relabel(dataset.examples),
    },
    splits: splits && {
      train: relabel(splits.train),
      validation: relabel(splits.validation),
      test: relabel(splits.test),
    },
  };
}
