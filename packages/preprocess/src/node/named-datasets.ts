import type { CsvColumns } from './read-csv';

export interface NamedDataset {
  /** Data files in the dataset folder, read in this order. */
  files: readonly string[];
  format: 'tsv' | 'csv' | 'fasttext';
  csv?: CsvColumns;
  /** Raw label -> index into `labelNames`. */
  labels: Readonly<Record<string, number>>;
  labelNames: readonly string[];
  source: string;
}

/** The layout of each dataset folder under the data home (`<dataHome>/<name>/`). */
export const NAMED_DATASETS: Readonly<Record<string, NamedDataset>> = {
  'uci-sentiment': {
    files: ['amazon_cells_labelled.txt', 'imdb_labelled.txt', 'yelp_labelled.txt'],
    format: 'tsv',
    labels: { '0': 0, '1': 1 },
    labelNames: ['negative', 'positive'],
    source: 'UCI "Sentiment Labelled Sentences" (https://archive.ics.uci.edu/dataset/331)',
  },
  'imdb-50k': {
    files: ['IMDB_aclImdb_50k.csv'],
    format: 'csv',
    csv: { text: 'review', label: 'sentiment', split: 'split' },
    labels: { negative: 0, positive: 1 },
    labelNames: ['negative', 'positive'],
    source:
      'the aclImdb reviews (https://ai.stanford.edu/~amaas/data/sentiment/) as CSV review,sentiment,split,id,rating',
  },
  'amazon-ft-sample': {
    files: ['test.ft.first6459.txt'],
    format: 'fasttext',
    labels: { '1': 0, '2': 1 },
    labelNames: ['negative', 'positive'],
    source: 'the first 6,459 lines of the Amazon reviews fastText test.ft.txt (Zhang et al.)',
  },
};

export const namedDatasets: readonly string[] = Object.freeze(Object.keys(NAMED_DATASETS));
