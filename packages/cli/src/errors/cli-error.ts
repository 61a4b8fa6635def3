/**
 * An error the CLI raises itself (bad flag combinations, unreadable input). It has the same
 * shape as `LstmkitError` (`code`, `hint`), so one mapper handles both.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly code: string;
  readonly hint?: string;

  constructor(code: string, message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options?.hint !== undefined) this.hint = options.hint;
  }
}

/** A bad-usage error: exit code 2. */
export function usageError(message: string, hint?: string): CliError {
  return new CliError('USAGE_ERROR', message, hint === undefined ? undefined : { hint });
}
