// Ships apps/web's built page inside the cli (dist/web), where `lstmkit serve` finds it.
// The page is private to this repository, so it travels in the cli's tarball, not as a package.
import { cpSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const page = fileURLToPath(new URL('../../../apps/web/dist/', import.meta.url));
const target = fileURLToPath(new URL('../dist/web/', import.meta.url));
if (existsSync(`${page}index.html`)) cpSync(page, target, { recursive: true });
else process.stderr.write('copy-web: apps/web is not built; `lstmkit serve` will serve the API only\n');
