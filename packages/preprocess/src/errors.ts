import type { ErrorCode } from './error-codes';

/**
 * The one error type of lstmkit. `code` is stable and machine-readable (CLI exit codes and HTTP
 * statuses are mapped from it); `hint` says what the user can do about it.
 */
export class LstmkitError extends Error {
  readonly code: string;
  readonly hint?: string;

  /** `code` is one of `errorCatalog` (the compiler checks it; docs/errors.md lists them). */
  constructor(code: ErrorCode, message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LstmkitError';
    this.code = code;
    if (options?.hint !== undefined) this.hint = options.hint;
  }
}

/** Works across package copies (duplicate installs), where `instanceof` would not. */
export function isLstmkitError(e: unknown): e is LstmkitError {
  return (
    e instanceof LstmkitError ||
    (e instanceof Error &&
      e.name === 'LstmkitError' &&
      typeof (e as { code?: unknown }).code === 'string')
  );
}
