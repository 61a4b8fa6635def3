import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cliDir = fileURLToPath(new URL('./', import.meta.url));
const bin = fileURLToPath(new URL('./dist/bin.js', import.meta.url));

/**
 * The end-to-end tests run the real, built `lstmkit` (dist/bin.js) against the built sibling
 * packages, so build those first (turbo replays its cache when nothing changed), then this
 * package with tsup. A sibling that fails to build (e.g. the optional server) does not stop
 * the CLI build; the tests that need it will say so. LSTMKIT_CLI_SKIP_BUILD=1 skips all this.
 */
export default function setup(): void {
  if (process.env.LSTMKIT_CLI_SKIP_BUILD === '1') {
    if (!existsSync(bin)) throw new Error(`LSTMKIT_CLI_SKIP_BUILD=1 but ${bin} does not exist`);
    return;
  }
  try {
    execFileSync(
      'npx',
      ['turbo', 'run', 'build', '--filter=@lstmkit/cli^...', '--continue', '--output-logs=errors-only'],
      { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
    );
  } catch {
    process.stderr.write('[cli tests] a dependency failed to build; testing with what built\n');
  }
  execFileSync('npx', ['tsup', '--silent'], { cwd: cliDir, stdio: ['ignore', 'ignore', 'inherit'] });
}
