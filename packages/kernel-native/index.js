// The Node-API addon built by scripts/build.mjs (and shipped prebuilt in the npm tarball).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const addon = join(__dirname, 'dist', 'lstmkit-kernel.node');
if (!existsSync(addon)) {
  // A checkout built without gcc: fail as a missing package would, saying why.
  const error = new Error(
    '@lstmkit/kernel-linux-x64-gnu is not built here (no dist/lstmkit-kernel.node)',
  );
  error.code = 'MODULE_NOT_FOUND';
  throw error;
}
module.exports = require(addon);
