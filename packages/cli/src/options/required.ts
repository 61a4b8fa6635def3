import { usageError } from '../errors/cli-error.js';

/**
 * Required flags are checked in the action rather than with commander's `requiredOption`,
 * so a mistyped flag (`--mdoel`) is reported as unknown, with a suggestion, before the
 * "missing --model" that follows from it.
 */
export function requireFlags(
  commandPath: string,
  values: object,
  flags: readonly (readonly [key: string, flag: string])[],
): void {
  const missing = flags
    .filter(([key]) => (values as Record<string, unknown>)[key] === undefined)
    .map(([, flag]) => flag);
  if (missing.length === 0) return;
  throw usageError(
    `missing required flag${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`,
    `see '${commandPath} --help'`,
  );
}
