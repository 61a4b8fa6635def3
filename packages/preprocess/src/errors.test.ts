import { describe, expect, it } from 'vitest';
import { isLstmkitError, LstmkitError } from './errors';

describe('LstmkitError', () => {
  it('carries a code, a hint and a cause', () => {
    const cause = new Error('inner');
    const e = new LstmkitError('DATASET_NOT_FOUND', 'no data', { hint: 'set X', cause });
    expect([e.name, e.code, e.message, e.hint, e.cause]).toEqual([
      'LstmkitError',
      'DATASET_NOT_FOUND',
      'no data',
      'set X',
      cause,
    ]);
    expect(e).toBeInstanceOf(Error);
    expect(new LstmkitError('INTERNAL', 'y').hint).toBeUndefined();
  });

  it('is recognised across copies of the class but not for other errors', () => {
    const foreign = Object.assign(new Error('m'), { name: 'LstmkitError', code: 'X' });
    expect(isLstmkitError(foreign)).toBe(true);
    expect(isLstmkitError(new LstmkitError('INTERNAL', 'y'))).toBe(true);
    expect(isLstmkitError(new Error('plain'))).toBe(false);
    expect(isLstmkitError('LstmkitError')).toBe(false);
  });
});
