import { LstmkitError } from './errors';
import { TokenCounter } from './token-counter';

export interface VocabularyOptions {
  /** Tokens seen fewer times map to `<unk>` (default 1). */
  minCount?: number;
  /** Upper bound on `size`, pad and unk included, i.e. the embedding's input dimension. */
  maxSize?: number;
  padToken?: string;
  unkToken?: string;
}

export interface VocabularyJSON {
  formatVersion: 1;
  padToken: string;
  unkToken: string;
  /** Token of each id: `tokens[0]` is the pad token, `tokens[1]` the unk token. */
  tokens: string[];
  /** Training counts per id (pad 0, unk: occurrences that fell out of the vocabulary). */
  counts?: number[];
}

const DEFAULTS = {
  minCount: 1,
  maxSize: Number.POSITIVE_INFINITY,
  padToken: '<pad>',
  unkToken: '<unk>',
};

function invalidOption(name: string, value: unknown, rule: string): never {
  throw new LstmkitError(
    'INVALID_VOCABULARY_OPTIONS',
    `vocabulary.${name} ${rule} (got ${JSON.stringify(value)})`,
  );
}

export function resolveVocabularyOptions(options: VocabularyOptions): Required<VocabularyOptions> {
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  if (!Number.isInteger(o.minCount) || o.minCount < 1)
    invalidOption('minCount', o.minCount, 'must be an integer >= 1');
  if (o.maxSize !== Number.POSITIVE_INFINITY && (!Number.isInteger(o.maxSize) || o.maxSize < 2)) {
    invalidOption('maxSize', o.maxSize, 'must be an integer >= 2 (pad and unk are included)');
  }
  if (typeof o.padToken !== 'string' || o.padToken === '')
    invalidOption('padToken', o.padToken, 'must be a non-empty string');
  if (typeof o.unkToken !== 'string' || o.unkToken === '' || o.unkToken === o.padToken) {
    invalidOption('unkToken', o.unkToken, 'must be a non-empty string different from padToken');
  }
  return o;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Token <-> id map with `<pad>` = 0 and `<unk>` = 1. Ids follow frequency (most frequent first),
 * ties broken by code-unit order, so a build is deterministic for the same data.
 */
export class Vocabulary {
  readonly padId = 0 as const;
  readonly unkId = 1 as const;
  readonly padToken: string;
  readonly unkToken: string;
  readonly size: number;
  private readonly tokens: readonly string[];
  private readonly counts: readonly number[] | undefined;
  // Holds real tokens and unk; a text containing the literal pad token must not encode as padding.
  private readonly ids: Map<string, number>;

  private constructor(tokens: readonly string[], counts: readonly number[] | undefined) {
    this.tokens = tokens;
    this.counts = counts;
    this.size = tokens.length;
    this.padToken = tokens[0] as string;
    this.unkToken = tokens[1] as string;
    this.ids = new Map();
    for (let id = 1; id < tokens.length; id++) this.ids.set(tokens[id] as string, id);
  }

  static build(
    tokenLists: Iterable<readonly string[]>,
    options: VocabularyOptions = {},
  ): Vocabulary {
    const counter = new TokenCounter();
    for (const tokens of tokenLists) counter.add(tokens);
    return Vocabulary.fromCounts(counter.entries(), options);
  }

  /** Builds from precomputed `[token, count]` pairs (a `Map<string, number>` works). */
  static fromCounts(
    counts: Iterable<readonly [string, number]>,
    options: VocabularyOptions = {},
  ): Vocabulary {
    const o = resolveVocabularyOptions(options);
    const entries: [string, number][] = [];
    let total = 0;
    for (const [token, count] of counts) {
      total += count;
      if (count >= o.minCount && token !== o.padToken && token !== o.unkToken)
        entries.push([token, count]);
    }
    entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const kept = entries.slice(0, Math.max(0, Math.min(entries.length, o.maxSize - 2)));
    let keptTotal = 0;
    for (const [, count] of kept) keptTotal += count;
    return new Vocabulary(
      [o.padToken, o.unkToken, ...kept.map(([token]) => token)],
      [0, total - keptTotal, ...kept.map(([, count]) => count)],
    );
  }

  static fromJSON(json: VocabularyJSON): Vocabulary {
    const bad = (field: string, rule: string): never => {
      throw new LstmkitError('INVALID_VOCABULARY_JSON', `vocabulary.${field} ${rule}`);
    };
    if (typeof json !== 'object' || json === null) bad('', 'must be an object');
    if (json.formatVersion !== 1) {
      bad(
        'formatVersion',
        `must be 1 (got ${JSON.stringify(json.formatVersion)}); this version reads format 1 only`,
      );
    }
    const { tokens, counts, padToken, unkToken } = json;
    if (!Array.isArray(tokens) || tokens.length < 2)
      bad('tokens', 'must be an array of at least 2 strings');
    if (tokens[0] !== padToken)
      bad('tokens[0]', `must be the padToken ${JSON.stringify(padToken)}`);
    if (tokens[1] !== unkToken)
      bad('tokens[1]', `must be the unkToken ${JSON.stringify(unkToken)}`);
    const seen = new Set<string>();
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      if (typeof token !== 'string') bad(`tokens[${i}]`, 'must be a string');
      if (seen.has(token as string))
        bad(`tokens[${i}]`, `repeats the token ${JSON.stringify(token)}`);
      seen.add(token as string);
    }
    if (counts !== undefined) {
      if (!Array.isArray(counts) || counts.length !== tokens.length) {
        bad('counts', `must be an array with one count per token (${tokens.length})`);
      }
      counts.forEach((c, i) => {
        if (!Number.isInteger(c) || c < 0) bad(`counts[${i}]`, 'must be a non-negative integer');
      });
    }
    return new Vocabulary([...tokens], counts === undefined ? undefined : [...counts]);
  }

  id(token: string): number {
    return this.ids.get(token) ?? 1;
  }

  token(id: number): string {
    const token = this.tokens[id];
    if (token === undefined || !Number.isInteger(id)) {
      throw new LstmkitError(
        'INVALID_TOKEN_ID',
        `token id ${id} is outside the vocabulary (size ${this.size})`,
      );
    }
    return token;
  }

  encode(tokens: readonly string[]): number[] {
    const out = new Array<number>(tokens.length);
    for (let i = 0; i < tokens.length; i++) out[i] = this.ids.get(tokens[i] as string) ?? 1;
    return out;
  }

  decode(ids: ArrayLike<number>): string[] {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (id !== 0) out.push(this.token(id));
    }
    return out;
  }

  toJSON(): VocabularyJSON {
    const json: VocabularyJSON = {
      formatVersion: 1,
      padToken: this.padToken,
      unkToken: this.unkToken,
      tokens: [...this.tokens],
    };
    if (this.counts !== undefined) json.counts = [...this.counts];
    return json;
  }
}
