// Child of addon.test.mjs: loads the addon under the LSTMKIT_NATIVE_ISA its parent set, runs
// forward, backward and weightGradsColumns on seeded random data of the shape in argv (T B D H),
// and prints the instruction set and every output as one JSON line.
import { createRequire } from 'node:module';

const kernel = createRequire(import.meta.url)('..');
const [T, B, D, H] = process.argv.slice(2).map(Number);
const G = 4 * H;
const sizes = {
  x: T * B * D,
  w: D * G,
  bias: G,
  u: H * G,
  ut: G * H,
  wt: G * D,
  dOut: T * B * H,
  mask: T * B,
  acts: T * B * G,
  cs: (T + 1) * B * H,
  hs: (T + 1) * B * H,
  dz: T * B * G,
  dx: T * B * D,
  dh: B * H,
  dc: B * H,
  dw: D * G,
  du: H * G,
  db: G,
};
const at = {};
let end = 0;
for (const [name, size] of Object.entries(sizes)) [at[name], end] = [end * 4, end + size];
const buffer = new ArrayBuffer(end * 4);
const view = new Float32Array(buffer);
let seed = 7;
for (let i = 0; i < at.mask / 4; i++) {
  seed = (seed * 16807) % 2147483647;
  view[i] = seed / 2147483647 - 0.5;
}
// Rows end at different steps: blocks of 4 with 4, 2, 1 and no real rows (gemm4 and gemm1).
for (let t = 0; t < T; t++)
  for (let r = 0; r < B; r++) view[at.mask / 4 + t * B + r] = t < T - (r % 4) ? 1 : 0;
for (let r = 0; r < B * H; r++) view[at.hs / 4 + r] = 0.1 * Math.sin(r);

kernel.forward(
  buffer,
  T,
  B,
  D,
  H,
  at.x,
  at.w,
  at.bias,
  at.u,
  at.acts,
  at.cs,
  at.hs,
  at.mask,
  1,
  0,
  B,
);
kernel.backward(
  buffer,
  ...[T, B, D, H, at.acts, at.cs, at.mask, at.ut, at.wt, at.dOut, at.dz, at.dx, at.dh, at.dc],
  ...[0, B],
);
for (let c = 0; c < G; c += 32) {
  const args = [T * B, D, H, at.x, at.hs, at.dz, at.dw, at.du, at.db];
  kernel.weightGradsColumns(buffer, ...args, c, Math.min(G, c + 32));
}

const outputs = {};
for (const name of ['acts', 'cs', 'hs', 'dz', 'dx', 'dh', 'dc', 'dw', 'du', 'db'])
  outputs[name] = Array.from(view.subarray(at[name] / 4, at[name] / 4 + sizes[name]));
process.stdout.write(`${JSON.stringify({ isa: kernel.isa, outputs })}\n`);
