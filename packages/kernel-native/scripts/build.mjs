// Builds dist/lstmkit-kernel.node from src/ with the system's C compiler against Node's own
// Node-API headers: src/lstm.c three times (AVX-512, whose matmuls take 16-float vectors; AVX2 +
// FMA; the x86-64 baseline; src/addon.c picks one at load with __builtin_cpu_supports) and the
// Node-API binding. Nothing is downloaded.
//
// A machine without gcc, without Node's headers, or not linux-x64 skips the build and says why
// (exit 0): the package then stays unbuilt, requiring it fails, and @lstmkit/model runs its
// WebAssembly kernel. `--require` (prepack) fails instead, so a tarball never ships without it.
//
//   node scripts/build.mjs [--require] [--force]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'lstmkit-kernel.node');
const required = process.argv.includes('--require');
const sources = ['src/lstm.c', 'src/addon.c', 'src/kernel.h', 'scripts/build.mjs'].map((f) =>
  join(root, f),
);

function skip(why) {
  if (required) {
    process.stderr.write(`kernel-native: cannot build: ${why}\n`);
    process.exit(1);
  }
  process.stdout.write(
    `kernel-native: build skipped (${why}); @lstmkit/model will use its wasm kernel\n`,
  );
  process.exit(0);
}

if (process.platform !== 'linux' || process.arch !== 'x64')
  skip(`${process.platform}-${process.arch} is not linux-x64`);
const cc = process.env.CC || 'gcc';
if (spawnSync(cc, ['--version'], { stdio: 'ignore' }).status !== 0) skip(`no C compiler (${cc})`);

/** Node's own headers: beside this node binary, Debian's, or a node-gyp cache already on disk. */
function nodeHeaders() {
  const version = process.versions.node;
  const candidates = [
    process.env.LSTMKIT_NODE_HEADERS,
    join(dirname(process.execPath), '..', 'include', 'node'),
    '/usr/include/node',
    join(homedir(), '.cache', 'node-gyp', version, 'include', 'node'),
  ];
  return candidates.find((dir) => dir && existsSync(join(dir, 'node_api.h')));
}
const headers = nodeHeaders();
if (headers === undefined) skip('no node_api.h (set LSTMKIT_NODE_HEADERS to a folder with it)');

const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
if (existsSync(out) && statSync(out).mtimeMs >= newest && !process.argv.includes('--force'))
  process.exit(0);

const work = join(root, 'dist', `.build-${process.pid}`);
mkdirSync(work, { recursive: true });
// -fno-strict-aliasing: the kernel reads floats through vector types; -fno-math-errno: sqrtf
// vectorizes; -ffp-contract=fast (GCC's default in GNU C, written out): a*b+c becomes an FMA
// where the target has one (lstm.c's adam opts out to keep tfjs's rounding).
const common = [
  '-O3',
  '-fPIC',
  '-fvisibility=hidden',
  '-fno-strict-aliasing',
  '-fno-math-errno',
  '-ffp-contract=fast',
  '-Wall',
  '-Wextra',
  '-Wno-psabi',
  '-Werror',
];
const steps = [
  [
    ...common,
    '-DLSTM_ISA=avx512',
    '-mavx512f',
    '-mavx512vl',
    '-mavx512bw',
    '-mavx512dq',
    '-mavx2',
    '-mfma',
    '-mprefer-vector-width=512',
    '-c',
    'src/lstm.c',
    '-o',
    join(work, 'lstm-avx512.o'),
  ],
  [
    ...common,
    '-DLSTM_ISA=avx2',
    '-mavx2',
    '-mfma',
    '-c',
    'src/lstm.c',
    '-o',
    join(work, 'lstm-avx2.o'),
  ],
  [...common, '-DLSTM_ISA=generic', '-c', 'src/lstm.c', '-o', join(work, 'lstm-generic.o')],
  [
    ...common,
    `-I${headers}`,
    '-DNODE_GYP_MODULE_NAME=lstmkit_kernel',
    '-c',
    'src/addon.c',
    '-o',
    join(work, 'addon.o'),
  ],
  [
    '-shared',
    '-pthread',
    '-o',
    join(work, 'lstmkit-kernel.node'),
    ...['addon.o', 'lstm-avx512.o', 'lstm-avx2.o', 'lstm-generic.o'].map((f) => join(work, f)),
  ],
];
for (const args of steps) {
  const run = spawnSync(cc, args, { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) {
    rmSync(work, { recursive: true, force: true });
    process.stderr.write(`kernel-native: ${cc} ${args.join(' ')} failed\n`);
    process.exit(1);
  }
}
renameSync(join(work, 'lstmkit-kernel.node'), out);
rmSync(work, { recursive: true, force: true });
process.stdout.write(`kernel-native: built dist/lstmkit-kernel.node (${cc}, headers ${headers})\n`);
