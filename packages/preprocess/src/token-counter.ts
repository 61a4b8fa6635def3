import { TokenTable } from './token-table';

/** Token counts for vocabulary building: one intern-table probe per token, no substrings for known ones. */
export class TokenCounter {
  private readonly table = new TokenTable();
  private counts = new Float64Array(1024);

  /** Counts `text[start, end)`. */
  addRange(text: string, start: number, end: number): void {
    const index = this.table.intern(text, start, end);
    if (index === this.counts.length) {
      const grown = new Float64Array(index * 2);
      grown.set(this.counts);
      this.counts = grown;
    }
    (this.counts[index] as number)++;
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
}
