import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cliDir = fileURLToPath(new URL('./', import.meta.url));
const bin = fileURLToPath(new URL('./dist/bin.js', import.meta.url));

/**
 * The end-to-end tests run the real, built `lstmkit` (dist/bin.js) against the built sibling
 * packages.
 * - Under turbo (`pnpm test`, `turbo run test`): packages/cli/turbo.json makes this package's
 *   `test` depend on its own `build` (and its dependencies'), so everything is built already
 *   and building again here would race with turbo's own build of dist/.
 * - Run directly (`npx vitest run` in packages/cli): build the dependencies with turbo (its
 *   cache replays when nothing changed), then this package with tsup. A dependency that fails to
 *   build does not stop the CLI build; the tests that need it will say so.
 * LSTMKIT_CLI_SKIP_BUILD=1 skips the build in both cases.
 */
export default function setup(): void {
  if (process.env.LSTMKIT_CLI_SKIP_BUILD === '1' || process.env.TURBO_HASH !== undefined) {
    if (!existsSync(bin)) throw new Error(`${bin} does not exist: build @lstmkit/cli first`);
    return;
  }
  try {
    execFileSync(
      'npx',
      [
        'turbo',
        'run',
        'build',
        '--filter=@lstmkit/cli^...',
        '--continue',
        '--output-logs=errors-only',
      ],
      { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
    );
  } catch {
    process.stderr.write('[cli tests] a dependency failed to build; testing with what built\n');
  }
  execFileSync('npx', ['tsup', '--silent'], {
    cwd: cliDir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
