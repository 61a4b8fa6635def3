import { deepFreeze, type PipelineConfig } from './config';

/**
 * `textbook` reproduces the classic recipe (strip punctuation, lowercase, trim, split on
 * whitespace, left-pad to 50 and keep the first tokens). `default` keeps more signal: NFKC,
 * HTML and URL handling, punctuation as tokens, contractions split (`didn't` -> `didn ' t`:
 * every negated contraction shares the token `t`, which small datasets learn better than one
 * token per contraction), 64 tokens that keep the end of a long text (reviews tend to conclude
 * with the verdict).
 */
export const pipelinePresets: {
  readonly textbook: PipelineConfig;
  readonly default: PipelineConfig;
} = deepFreeze({
  textbook: {
    clean: { lowercase: true, punctuation: 'strip', collapseWhitespace: true },
    tokenizer: { type: 'whitespace' },
    sequence: { length: 50, padding: 'pre', truncating: 'post' },
  },
  default: {
    clean: {
      nfkc: true,
      lowercase: true,
      stripHtml: true,
      urls: '<url>',
      digits: '0',
      punctuation: 'split',
      collapseWhitespace: true,
    },
    tokenizer: { type: 'word', keepContractions: false },
    sequence: { length: 64, padding: 'pre', truncating: 'pre' },
  },
});
