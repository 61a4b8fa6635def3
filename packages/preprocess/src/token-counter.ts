import { TokenTable } from './token-table';

/** What pruning dropped: distinct tokens removed so far and the count threshold reached. */
export interface PruneStats {
  /** Distinct tokens removed (a token removed twice counts twice). */
  tokens: number;
  /** Tokens seen fewer times than this were removed at the last prune (0: no prune yet). */
  belowCount: number;
}

/**
 * Token counts for vocabulary building: one intern-table probe per token, no substrings for known
 * ones. With `maxDistinct`, the table stays bounded as in fastText: when it passes the cap, the
 * count threshold rises until at most 3/4 of the cap remain and the rarer tokens are dropped, so a
 * corpus of any size costs bounded memory (the counts of the most frequent tokens stay exact
 * enough; a dropped token that comes back starts again from 1).
 */
export class TokenCounter {
  private table = new TokenTable();
  private counts = new Float64Array(1024);
  readonly pruned: PruneStats = { tokens: 0, belowCount: 0 };

  constructor(private readonly maxDistinct = Number.POSITIVE_INFINITY) {}

  /** Distinct tokens held now. */
  get size(): number {
    return this.table.size;
  }

  /** Counts `text[start, end)`. */
  addRange(text: string, start: number, end: number): void {
    const index = this.table.intern(text, start, end);
    if (index === this.counts.length) {
      const grown = new Float64Array(index * 2);
      grown.set(this.counts);
      this.counts = grown;
    }
    (this.counts[index] as number)++;
    if (this.table.size > this.maxDistinct) this.prune();
  }

  add(tokens: readonly string[]): void {
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i] as string;
      this.addRange(token, 0, token.length);
    }
  }

  entries(): [string, number][] {
    return this.table.keys.map((token, i) => [token, this.counts[i] as number]);
  }

  private prune(): void {
    const size = this.table.size;
    const keep = Math.floor(this.maxDistinct * 0.75);
    const sorted = this.counts.slice(0, size).sort();
    // The smallest threshold above the last one that leaves at most `keep` tokens.
    const threshold = Math.max(this.pruned.belowCount + 1, (sorted[size - keep - 1] as number) + 1);
    const table = new TokenTable();
    const counts = new Float64Array(this.counts.length);
    const keys = this.table.keys;
    for (let i = 0; i < size; i++) {
      const count = this.counts[i] as number;
      if (count < threshold) continue;
      const key = keys[i] as string;
      counts[table.intern(key, 0, key.length)] = count;
    }
    this.pruned.tokens += size - table.size;
    this.pruned.belowCount = threshold;
    this.table = table;
    this.counts = counts;
  }
}
