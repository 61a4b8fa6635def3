import { Command, CommanderError } from 'commander';
import { dataCommand } from './commands/data-command.js';
import { evaluateCommand } from './commands/evaluate-command.js';
import { predictCommand } from './commands/predict-command.js';
import { serveCommand } from './commands/serve-command.js';
import { trainCommand } from './commands/train-command.js';
import type { Context } from './context.js';
import { version } from './version.js';

/** A commander error tagged with the command it came from, for the "see --help" hint. */
export class UsageFailure extends Error {
  override readonly name = 'UsageFailure';
  constructor(
    readonly commanderError: CommanderError,
    readonly commandPath: string,
  ) {
    super(commanderError.message);
  }
}

const programHelp = `
Examples:
  $ lstmkit data uci-sentiment
  $ lstmkit train --data uci-sentiment --preset textbook --epochs 3 --out runs/textbook
  $ lstmkit evaluate --model runs/textbook --data uci-sentiment
  $ lstmkit predict --model runs/textbook "The film was good" "It was not good"
  $ lstmkit serve --model runs/textbook --port 8080

Environment:
  LSTMKIT_DATA_HOME   where named datasets live (default ~/.cache/lstmkit)
  LSTMKIT_BACKEND     force a TensorFlow.js backend: tensorflow, wasm or cpu
  LSTMKIT_KERNEL      force the fused LSTM kernel: wasm, or native (the optional
                      @lstmkit/kernel-linux-x64-gnu; auto uses it when it loads)
  LSTMKIT_THREADS     threads of the fused LSTM kernel (default: the cores)
  NO_COLOR            disable colour (also --no-color)

Exit codes: 0 success, 1 runtime error, 2 bad usage or invalid input, 130 interrupted.
Run 'lstmkit <command> --help' for a command's flags and examples.`;

/** The `lstmkit` command tree. Nothing heavy is imported until a command runs. */
export function createProgram(ctx: Context): Command {
  const program = new Command('lstmkit');
  const path = (command: Command): string => {
    const names: string[] = [];
    for (let c: Command | null = command; c !== null; c = c.parent) names.unshift(c.name());
    return names.join(' ');
  };
  const configure = (command: Command): void => {
    command
      .exitOverride((error) => {
        throw new UsageFailure(error, path(command));
      })
      .configureOutput({
        writeOut: (text) => ctx.io.stdout.write(text),
        writeErr: (text) => ctx.io.stderr.write(text),
        // Errors are printed once, by runCli, as "error: ... / hint: ...".
        outputError: () => {},
      })
      .configureHelp({
        showGlobalOptions: true,
        styleTitle: (title) => ctx.out.bold(title),
        styleCommandText: (text) => ctx.out.cyan(text),
        styleSubcommandText: (text) => ctx.out.cyan(text),
      })
      .helpOption('-h, --help', 'show help');
  };

  program
    .description(
      'Train, evaluate and serve LSTM/BiLSTM text classifiers: from labelled sentences ' +
        'to a model bundle served over HTTP.',
    )
    .version(version, '-v, --version', 'print the version')
    .option('--debug', 'show stack traces and internal details on errors')
    .option('--no-color', 'disable colour output')
    .addHelpText('after', programHelp)
    .helpCommand('help [command]', 'show help for a command');
  configure(program);

  for (const make of [trainCommand, evaluateCommand, predictCommand, serveCommand, dataCommand]) {
    const command = make(ctx);
    configure(command);
    program.addCommand(command);
  }
  return program;
}

export { CommanderError };
