import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const good = ['good', 'great', 'lovely', 'excellent', 'wonderful', 'fine', 'superb', 'nice'];
const bad = ['bad', 'awful', 'poor', 'terrible', 'boring', 'broken', 'ugly', 'worst'];
const things = ['film', 'phone', 'meal', 'book', 'service', 'screen', 'plot', 'battery'];
const days = [
  'monday',
  'tuesday',
  'friday',
  'sunday',
  'tonight',
  'again',
  'here',
  'there',
  'now',
  'then',
];

/**
 * A small, learnable sentiment set: each sentence carries one telling word. Sentences are
 * distinct (up to 160), as the hashed split keeps duplicates together.
 */
export function tinySentences(count: number): { text: string; label: 'pos' | 'neg' }[] {
  const rows: { text: string; label: 'pos' | 'neg' }[] = [];
  for (let i = 0; i < count; i++) {
    const positive = i % 2 === 0;
    const words = positive ? good : bad;
    const word = words[(i * 7) % words.length];
    const thing = things[(i * 3) % things.length];
    const day = days[Math.floor(i / 8) % days.length];
    rows.push({ text: `the ${thing} was really ${word} ${day}`, label: positive ? 'pos' : 'neg' });
  }
  return rows;
}

export function tempDir(prefix = 'lstmkit-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes `text<TAB>label` lines and returns the path. */
export function writeTsv(dir: string, name: string, count: number): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `${tinySentences(count)
      .map((row) => `${row.text}\t${row.label}`)
      .join('\n')}\n`,
  );
  return path;
}
