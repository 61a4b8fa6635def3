export type { CliIo, OutputStream } from './cli-io.js';
export { runCli } from './run-cli.js';
export { version } from './version.js';
