export { dataHome } from './node/data-home';
export { loadDataset } from './node/load-dataset';
export type { DatasetFormat, LoadDatasetOptions } from './node/load-options';
export { namedDatasets } from './node/named-datasets';
export { openDataset } from './node/open-dataset';
export { type Line, readLines, type TextEncoding } from './node/read-lines';
