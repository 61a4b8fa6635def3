import { WHITESPACE_CLASS } from '../unicode';

/** One record as read from a file, before labels become indices. */
export interface RawRecord {
  file: string;
  line: number;
  text: string;
  label: string;
  split?: 'train' | 'validation' | 'test';
}

/** A record that cannot become an example; strict mode throws it, lenient mode counts it. */
export interface Malformed {
  file: string;
  line: number;
  reason: string;
}

export type RecordOrMalformed = { record: RawRecord } | { malformed: Malformed };

const WHITESPACE_ONLY = new RegExp(`^[${WHITESPACE_CLASS}]*$`);

export function isBlank(text: string): boolean {
  return WHITESPACE_ONLY.test(text);
}

/** The shared record checks: missing label, empty text. */
export function checkRecord(record: RawRecord): RecordOrMalformed {
  const { file, line } = record;
  if (isBlank(record.label)) return { malformed: { file, line, reason: 'missing label' } };
  if (isBlank(record.text)) return { malformed: { file, line, reason: 'empty text' } };
  return { record };
}
