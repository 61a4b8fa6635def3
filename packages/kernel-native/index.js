// The Node-API addon built by scripts/build.mjs (and shipped prebuilt in the npm tarball).
// Requiring this package fails, as a missing package would, when the addon was not built here.
module.exports = require('./dist/lstmkit-kernel.node');
