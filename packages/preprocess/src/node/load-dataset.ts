import type { Dataset } from '../dataset';
import { collectDataset } from './collector';
import type { LoadDatasetOptions } from './load-options';
import { openDataset } from './open-dataset';

/**
 * Loads a named dataset (see `namedDatasets`) from the data home, verified against its
 * SHA256SUMS, or a file or folder by path, into memory: one pass of `openDataset`. Malformed
 * records throw an error naming file and line, or with `lenient` are skipped and listed in
 * `skipped`.
 */
export async function loadDataset(
  nameOrPath: string,
  options: LoadDatasetOptions = {},
): Promise<Dataset> {
  return collectDataset(await openDataset(nameOrPath, options));
}
