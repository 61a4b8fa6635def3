import { LstmkitError } from './errors';

export interface CleanConfig {
  /** Unicode NFKC (full-width forms, ligatures, compatibility characters). */
  nfkc?: boolean;
  lowercase?: boolean;
  /** Tags such as `<br />` become a space. */
  stripHtml?: boolean;
  /** Replacement token for URLs, e.g. `'<url>'`; `false` keeps URLs. */
  urls?: false | string;
  /** Each decimal digit becomes this string, e.g. `'0'`; `false` keeps digits. */
  digits?: false | string;
  /** `strip` deletes punctuation and symbols (Python `str.translate` style); `split` spaces them into tokens. */
  punctuation?: 'keep' | 'strip' | 'split';
  /** Collapse runs of whitespace (including U+0085 and other Unicode spaces) to one space and trim. */
  collapseWhitespace?: boolean;
}

export type TokenizerConfig = { type: 'whitespace' } | { type: 'word'; keepContractions?: boolean };

export interface SequenceConfig {
  length: number;
  padding: 'pre' | 'post';
  /** Which end is cut: `post` keeps the first tokens (the textbook), `pre` keeps the last. */
  truncating: 'pre' | 'post';
}

export interface PipelineConfig {
  clean: CleanConfig;
  tokenizer: TokenizerConfig;
  sequence: SequenceConfig;
}

/** Every optional field spelled out, so a saved pipeline does not depend on library defaults. */
export interface ResolvedCleanConfig {
  nfkc: boolean;
  lowercase: boolean;
  stripHtml: boolean;
  urls: false | string;
  digits: false | string;
  punctuation: 'keep' | 'strip' | 'split';
  collapseWhitespace: boolean;
}

const CLEAN_DEFAULTS: ResolvedCleanConfig = {
  nfkc: false,
  lowercase: false,
  stripHtml: false,
  urls: false,
  digits: false,
  punctuation: 'keep',
  collapseWhitespace: false,
};
const KEEP_CONTRACTIONS_DEFAULT = true;
/** Above this, an LSTM over padded sequences is a mistake rather than a choice. */
export const MAX_SEQUENCE_LENGTH = 100_000;

function invalid(field: string, message: string): never {
  throw new LstmkitError('INVALID_PIPELINE_CONFIG', `${field} ${message}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function checkKeys(
  value: Record<string, unknown>,
  allowed: readonly string[],
  field: string,
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      invalid(`${field}.${key}`, `is not a known option (known: ${allowed.join(', ')})`);
  }
}

function optionalBoolean(value: unknown, fallback: boolean, field: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') invalid(field, `must be a boolean (got ${describe(value)})`);
  return value;
}

function optionalReplacement(value: unknown, field: string): false | string {
  if (value === undefined || value === false) return false;
  if (typeof value !== 'string')
    invalid(field, `must be false or a string (got ${describe(value)})`);
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (!allowed.includes(value as T)) {
    invalid(
      field,
      `must be one of ${allowed.map((a) => `'${a}'`).join(', ')} (got ${describe(value)})`,
    );
  }
  return value as T;
}

export function resolveCleanConfig(value: unknown, field = 'clean'): ResolvedCleanConfig {
  if (!isObject(value)) invalid(field, `must be an object (got ${describe(value)})`);
  checkKeys(value, Object.keys(CLEAN_DEFAULTS), field);
  const d = CLEAN_DEFAULTS;
  return {
    nfkc: optionalBoolean(value.nfkc, d.nfkc, `${field}.nfkc`),
    lowercase: optionalBoolean(value.lowercase, d.lowercase, `${field}.lowercase`),
    stripHtml: optionalBoolean(value.stripHtml, d.stripHtml, `${field}.stripHtml`),
    urls: optionalReplacement(value.urls, `${field}.urls`),
    digits: optionalReplacement(value.digits, `${field}.digits`),
    punctuation:
      value.punctuation === undefined
        ? d.punctuation
        : oneOf(value.punctuation, ['keep', 'strip', 'split'] as const, `${field}.punctuation`),
    collapseWhitespace: optionalBoolean(
      value.collapseWhitespace,
      d.collapseWhitespace,
      `${field}.collapseWhitespace`,
    ),
  };
}

export function resolveTokenizerConfig(value: unknown, field = 'tokenizer'): TokenizerConfig {
  if (!isObject(value)) invalid(field, `must be an object (got ${describe(value)})`);
  const type = oneOf(value.type, ['whitespace', 'word'] as const, `${field}.type`);
  if (type === 'whitespace') {
    checkKeys(value, ['type'], field);
    return { type };
  }
  checkKeys(value, ['type', 'keepContractions'], field);
  return {
    type,
    keepContractions: optionalBoolean(
      value.keepContractions,
      KEEP_CONTRACTIONS_DEFAULT,
      `${field}.keepContractions`,
    ),
  };
}

export function resolveSequenceConfig(value: unknown, field = 'sequence'): SequenceConfig {
  if (!isObject(value)) invalid(field, `must be an object (got ${describe(value)})`);
  checkKeys(value, ['length', 'padding', 'truncating'], field);
  const { length } = value;
  if (
    typeof length !== 'number' ||
    !Number.isInteger(length) ||
    length < 1 ||
    length > MAX_SEQUENCE_LENGTH
  ) {
    invalid(
      `${field}.length`,
      `must be an integer from 1 to ${MAX_SEQUENCE_LENGTH} (got ${describe(length)})`,
    );
  }
  return {
    length,
    padding: oneOf(value.padding, ['pre', 'post'] as const, `${field}.padding`),
    truncating: oneOf(value.truncating, ['pre', 'post'] as const, `${field}.truncating`),
  };
}

/** Validates once at the edge and fills every default; the result is what gets saved. */
export function resolvePipelineConfig(value: unknown, field = 'config'): PipelineConfig {
  if (!isObject(value)) invalid(field, `must be an object (got ${describe(value)})`);
  checkKeys(value, ['clean', 'tokenizer', 'sequence'], field);
  return deepFreeze({
    clean: resolveCleanConfig(value.clean, `${field}.clean`),
    tokenizer: resolveTokenizerConfig(value.tokenizer, `${field}.tokenizer`),
    sequence: resolveSequenceConfig(value.sequence, `${field}.sequence`),
  });
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
