import { type CliIo, processIo } from './cli-io.js';
import { type Context, createContext } from './context.js';
import { debugDetail, describeError, type ErrorReport } from './errors/error-mapper.js';
import { ExitCode } from './errors/exit-codes.js';
import { createProgram, UsageFailure } from './program.js';

/** The long flag of a commander flags string: "-d, --data <name|path>" -> "--data". */
function flagName(flags: string): string {
  return /--[\w-]+/.exec(flags)?.[0] ?? flags;
}

/** Rewrites commander's messages into the CLI's voice: what is wrong, with which flag. */
export function rewriteCommanderMessage(code: string, message: string): string {
  const text = message.replace(/^error:\s*/, '').trim();
  if (code === 'commander.invalidArgument') {
    const m = /^option '([^']+)' argument '([^']*)' is invalid\.\s*(.*)$/s.exec(text);
    if (m) {
      const reason = (m[3] ?? '')
        .replace(/^Allowed choices are (.*)\.$/, 'must be one of $1')
        .replace(/\.$/, '');
      return `invalid value '${m[2]}' for ${flagName(m[1] ?? '')}: ${reason}`;
    }
  }
  if (code === 'commander.missingMandatoryOptionValue') {
    const m = /^required option '([^']+)' not specified/.exec(text);
    if (m) return `missing required flag ${(m[1] ?? '').replace(/^-\w, /, '')}`;
  }
  if (code === 'commander.optionMissingArgument') {
    const m = /^option '([^']+)' argument missing/.exec(text);
    if (m) return `${flagName(m[1] ?? '')} needs a value`;
  }
  return text;
}

function usageReport(failure: UsageFailure): ErrorReport | number {
  const { code, message, exitCode } = failure.commanderError;
  if (code === 'commander.helpDisplayed' || code === 'commander.version') return ExitCode.ok;
  // "lstmkit help": 0; help shown because no command was given: bad usage.
  if (code === 'commander.help') return exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  const [first = 'bad usage', ...rest] = message.split('\n').filter((line) => line.trim() !== '');
  const suggestion = rest
    .join(' ')
    .trim()
    .replace(/^\((.*)\)$/, '$1');
  const helpHint = `see '${failure.commandPath} --help'`;
  return {
    exitCode: ExitCode.usage,
    code: 'USAGE_ERROR',
    message: rewriteCommanderMessage(code, first),
    hint: suggestion
      ? `${suggestion.charAt(0).toLowerCase()}${suggestion.slice(1)} (${helpHint})`
      : helpHint,
  };
}

function printError(ctx: Context, report: ErrorReport, error: unknown): void {
  const s = ctx.err;
  ctx.io.stderr.write(`${s.red(s.bold('error:'))} ${report.message}\n`);
  if (report.hint) ctx.io.stderr.write(`  ${s.dim('hint:')} ${report.hint}\n`);
  if (ctx.debug) {
    ctx.io.stderr.write(`${s.dim(`[${report.code}]`)}\n${s.dim(debugDetail(error))}\n`);
  }
}

/**
 * Runs the `lstmkit` command with the given arguments (without `node` and the script) and
 * resolves with the exit code. Never calls `process.exit`; errors are printed as one line
 * plus a hint (and the stack with `--debug`).
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const ctx = createContext(io, argv);
  const program = createProgram(ctx);
  if (argv.length === 0) {
    program.outputHelp();
    return ExitCode.ok;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    const report = error instanceof UsageFailure ? usageReport(error) : describeError(error);
    if (typeof report === 'number') return report;
    printError(ctx, report, error instanceof UsageFailure ? error.commanderError : error);
    return report.exitCode;
  }
}
