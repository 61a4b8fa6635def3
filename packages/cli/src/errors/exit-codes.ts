import { errorCodeInfo } from '@lstmkit/preprocess';

/** Exit codes of the `lstmkit` command. */
export const ExitCode = {
  ok: 0,
  /** Runtime error: missing file, corrupt bundle, training failure... */
  failure: 1,
  /** Bad usage: unknown flag, invalid value, missing argument. */
  usage: 2,
  /** Stopped by Ctrl-C (128 + SIGINT); training keeps its best checkpoint and resume state. */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The one place error codes become exit codes: the error catalog's. */
export function exitCodeForErrorCode(code: string): ExitCodeValue {
  return errorCodeInfo(code).exitCode;
}
