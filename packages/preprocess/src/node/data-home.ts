import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const DATA_HOME_ENV = 'LSTMKIT_DATA_HOME';

/** Where named datasets live: `$LSTMKIT_DATA_HOME`, else `~/.cache/lstmkit`. */
export function dataHome(): string {
  const fromEnv = process.env[DATA_HOME_ENV];
  return fromEnv ? resolve(fromEnv) : join(homedir(), '.cache', 'lstmkit');
}

/** Says where the data home came from, for "not found" messages. */
export function describeDataHome(explicit: string | undefined): { dir: string; origin: string } {
  if (explicit !== undefined) return { dir: resolve(explicit), origin: 'from the dataHome option' };
  if (process.env[DATA_HOME_ENV]) return { dir: dataHome(), origin: `from ${DATA_HOME_ENV}` };
  return { dir: dataHome(), origin: `the default; ${DATA_HOME_ENV} is not set` };
}
