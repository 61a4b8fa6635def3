/**
 * An intern table for tokens found inside a longer text: it is probed with (text, start, end),
 * so a token already in the table costs no substring and no string hashing by the engine — the
 * per-token allocations that dominate fitting and encoding large corpora.
 */
export class TokenTable {
  /** Token of each index, in insertion order. */
  readonly keys: string[] = [];
  private hashes: Int32Array = new Int32Array(1024);
  // Open addressing with linear probing; a slot holds index + 1, 0 when empty.
  private slots: Int32Array = new Int32Array(2048);
  private mask = 2047;

  get size(): number {
    return this.keys.length;
  }

  /** Index of `text[start, end)`, or -1. */
  find(text: string, start: number, end: number): number {
    const hash = hashRange(text, start, end);
    const { slots, hashes, keys, mask } = this;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const entry = slots[s] as number;
      if (entry === 0) return -1;
      const index = entry - 1;
      if (hashes[index] === hash && equalsRange(keys[index] as string, text, start, end))
        return index;
    }
  }

  /** Index of `text[start, end)`, inserted if new. */
  intern(text: string, start: number, end: number): number {
    const hash = hashRange(text, start, end);
    const { slots, hashes, keys, mask } = this;
    let s = hash & mask;
    for (; ; s = (s + 1) & mask) {
      const entry = slots[s] as number;
      if (entry === 0) break;
      const index = entry - 1;
      if (hashes[index] === hash && equalsRange(keys[index] as string, text, start, end))
        return index;
    }
    const index = keys.length;
    keys.push(detach(text, start, end));
    if (index === this.hashes.length) {
      const grown = new Int32Array(index * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    (this.hashes as Int32Array)[index] = hash;
    slots[s] = index + 1;
    // Keep the load factor under 1/2 so probes stay short.
    if (keys.length * 2 > slots.length) this.rehash();
    return index;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let index = 0; index < this.keys.length; index++) {
      let s = (this.hashes[index] as number) & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = index + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/**
 * `text[start, end)` as a string of its own. V8 makes a substring of 13 or more characters a view
 * that keeps the whole text alive; a table of long-lived tokens must not hold every line it saw.
 */
function detach(text: string, start: number, end: number): string {
  const token = start === 0 && end === text.length ? text : text.slice(start, end);
  // Concatenation then slice flattens into a fresh string of length + 1 (no link to `text`).
  return token.length < 13 ? token : ` ${token}`.slice(1);
}

/** FNV-1a over UTF-16 code units. */
function hashRange(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

function equalsRange(key: string, text: string, start: number, end: number): boolean {
  if (key.length !== end - start) return false;
  for (let i = 0; i < key.length; i++)
    if (key.charCodeAt(i) !== text.charCodeAt(start + i)) return false;
  return true;
}
