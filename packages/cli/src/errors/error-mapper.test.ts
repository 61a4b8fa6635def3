import { LstmkitError } from '@lstmkit/preprocess';
import { describe, expect, it } from 'vitest';
import { usageError } from './cli-error.js';
import { describeError } from './error-mapper.js';

describe('describeError', () => {
  it('maps USAGE_ and INVALID_ codes to exit 2 and others to exit 1, keeping the hint', () => {
    expect(describeError(usageError('bad', 'fix it'))).toEqual({
      exitCode: 2,
      code: 'USAGE_ERROR',
      message: 'bad',
      hint: 'fix it',
    });
    expect(describeError(new LstmkitError('INVALID_TRAIN_OPTIONS', 'x')).exitCode).toBe(2);
    expect(describeError(new LstmkitError('BUNDLE_CORRUPT', 'x\nsecond line')).message).toBe('x');
    expect(describeError(new LstmkitError('BUNDLE_CORRUPT', 'x')).exitCode).toBe(1);
  });

  it('recognises LstmkitError-shaped errors from another copy of the package', () => {
    const error = Object.assign(new Error('dataset not found: foo'), {
      name: 'LstmkitError',
      code: 'DATASET_NOT_FOUND',
      hint: 'named datasets: a, b',
    });
    expect(describeError(error)).toMatchObject({ exitCode: 1, hint: 'named datasets: a, b' });
  });

  it('turns system errors into one clear line', () => {
    const error = Object.assign(new Error('ENOENT: no such file'), {
      code: 'ENOENT',
      path: '/x/y',
    });
    expect(describeError(error)).toMatchObject({
      exitCode: 1,
      message: 'no such file or directory: /x/y',
    });
    const inUse = Object.assign(new Error('listen EADDRINUSE'), {
      code: 'EADDRINUSE',
      address: '127.0.0.1',
      port: 80,
    });
    expect(describeError(inUse).message).toBe('address already in use: 127.0.0.1:80');
  });

  it('says an unknown error is unexpected and points at --debug', () => {
    const report = describeError(new TypeError('x is not a function'));
    expect(report.message).toBe('unexpected error: x is not a function');
    expect(report.hint).toContain('--debug');
  });
});
