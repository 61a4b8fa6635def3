import { type ExitCodeValue, exitCodeForErrorCode } from './exit-codes.js';

/** What the user is told about an error: one line, maybe a hint. */
export interface ErrorReport {
  exitCode: ExitCodeValue;
  code: string;
  message: string;
  hint?: string;
}

interface CodedError {
  code: string;
  message: string;
  hint?: unknown;
}

/**
 * Errors with a stable upper-case `code` (and maybe a `hint`): `LstmkitError` and the like.
 * Duck typing (not `instanceof`) keeps this right when two copies of a package are loaded
 * (ESM and CJS builds).
 */
function isCodedError(error: unknown): error is Error & CodedError {
  return (
    error instanceof Error &&
    typeof (error as Partial<CodedError>).code === 'string' &&
    /^[A-Z][A-Z0-9_]*$/.test((error as unknown as CodedError).code)
  );
}

interface SystemError extends Error {
  code: string;
  path?: string;
  syscall?: string;
  address?: string;
  port?: number;
}

const systemCodes = new Set([
  'ENOENT',
  'EACCES',
  'EPERM',
  'EISDIR',
  'ENOTDIR',
  'ENOSPC',
  'EADDRINUSE',
  'EADDRNOTAVAIL',
  'EMFILE',
  'EEXIST',
  'ENOTEMPTY',
  'EPIPE',
]);

/** Node's errors from the OS (`err.code` like ENOENT, usually with `syscall`). */
function isSystemError(error: unknown): error is SystemError {
  if (!(error instanceof Error)) return false;
  const { code, syscall } = error as Partial<SystemError>;
  return (
    typeof code === 'string' &&
    (systemCodes.has(code) || (typeof syscall === 'string' && /^E[A-Z]+$/.test(code)))
  );
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}

function systemErrorReport(error: SystemError): ErrorReport {
  const where =
    error.path ?? (error.port !== undefined ? `${error.address ?? ''}:${error.port}` : '');
  switch (error.code) {
    case 'ENOENT':
      return {
        exitCode: 1,
        code: 'FILE_NOT_FOUND',
        message: `no such file or directory: ${where}`,
        hint: 'check the path (relative paths are resolved from the current directory)',
      };
    case 'EACCES':
    case 'EPERM':
      return { exitCode: 1, code: 'PERMISSION_DENIED', message: `permission denied: ${where}` };
    case 'EISDIR':
      return {
        exitCode: 1,
        code: 'IS_A_DIRECTORY',
        message: `expected a file but found a directory: ${where}`,
      };
    case 'ENOTDIR':
      return { exitCode: 1, code: 'NOT_A_DIRECTORY', message: `expected a directory: ${where}` };
    case 'ENOSPC':
      return {
        exitCode: 1,
        code: 'DISK_FULL',
        message: `no space left on device while writing ${where}`,
      };
    case 'EADDRINUSE':
      return {
        exitCode: 1,
        code: 'PORT_IN_USE',
        message: `address already in use: ${where}`,
        hint: 'choose another port with --port, or stop the process using it',
      };
    case 'EADDRNOTAVAIL':
      return {
        exitCode: 1,
        code: 'ADDRESS_NOT_AVAILABLE',
        message: `cannot listen on ${where}`,
        hint: 'check --host: it must be an address of this machine (e.g. 127.0.0.1 or 0.0.0.0)',
      };
    default:
      return { exitCode: 1, code: error.code, message: firstLine(error.message) };
  }
}

/** Turns anything thrown into the report the user sees. */
export function describeError(error: unknown): ErrorReport {
  if (isSystemError(error)) return systemErrorReport(error);
  if (isCodedError(error)) {
    const report: ErrorReport = {
      exitCode: exitCodeForErrorCode(error.code),
      code: error.code,
      message: firstLine(error.message),
    };
    if (typeof error.hint === 'string' && error.hint !== '') report.hint = error.hint;
    return report;
  }
  const message = error instanceof Error ? firstLine(error.message) : String(error);
  return {
    exitCode: 1,
    code: 'UNEXPECTED',
    message: `unexpected error: ${message || 'unknown'}`,
    hint: 'rerun with --debug for the stack trace, and please report it',
  };
}

/** The stack and causes, for `--debug`. */
export function debugDetail(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (current instanceof Error) {
      parts.push(
        depth === 0 ? (current.stack ?? String(current)) : `Caused by: ${current.stack ?? current}`,
      );
      current = current.cause;
    } else {
      parts.push(depth === 0 ? String(current) : `Caused by: ${String(current)}`);
      break;
    }
  }
  return parts.join('\n');
}
