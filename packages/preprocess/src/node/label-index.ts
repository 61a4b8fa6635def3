import type { Malformed, RawRecord } from './raw-record';

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** Sorted label names: numerically when every label is a number (so 2 < 10), else by code units. */
export function sortLabelNames(labels: Iterable<string>): string[] {
  const names = [...new Set(labels)];
  if (names.every((n) => NUMBER.test(n))) return names.sort((a, b) => Number(a) - Number(b));
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Checks a record's label against a fixed label set, if there is one. */
export function checkLabel(
  record: RawRecord,
  known: ReadonlyMap<string, number> | undefined,
): Malformed | undefined {
  if (known === undefined || known.has(record.label)) return undefined;
  const expected = [...known.keys()].map((k) => JSON.stringify(k)).join(', ');
  return {
    file: record.file,
    line: record.line,
    reason: `bad label ${JSON.stringify(record.label)} (expected one of ${expected})`,
  };
}
