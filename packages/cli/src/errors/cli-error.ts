import { LstmkitError } from '@lstmkit/preprocess';

/** A bad-usage error (flag values and combinations): exit code 2. */
export function usageError(message: string, hint?: string): LstmkitError {
  return new LstmkitError('USAGE_ERROR', message, hint === undefined ? undefined : { hint });
}
