// The addon on its own (the model package's equality tests check it against stock tfjs layers).
// Skips where it is not built (no gcc or Node headers: scripts/build.mjs skipped the build).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const built = existsSync(new URL('../dist/lstmkit-kernel.node', import.meta.url));
const kernel = built ? createRequire(import.meta.url)('..') : undefined;

/** A memory of `floats` floats, filled by `fill(i)`. */
function memory(floats, fill = () => 0) {
  const buffer = new ArrayBuffer(floats * 4);
  const view = new Float32Array(buffer);
  for (let i = 0; i < floats; i++) view[i] = fill(i);
  return { buffer, view };
}

const ISAS = ['avx512', 'avx2', 'generic'];
/** The CPU flags each variant needs (/proc/cpuinfo's names). */
const ISA_FLAGS = {
  avx512: ['avx512f', 'avx512vl', 'avx512bw', 'avx512dq', 'fma'],
  avx2: ['avx2', 'fma'],
  generic: [],
};
const cpuFlags = existsSync('/proc/cpuinfo')
  ? new Set(
      readFileSync('/proc/cpuinfo', 'utf8')
        .match(/^flags\s*:(.*)$/m)?.[1]
        .split(/\s+/),
    )
  : new Set();
const cpuHas = (isa) => ISA_FLAGS[isa].every((flag) => cpuFlags.has(flag));

/** test/isa-child.mjs under LSTMKIT_NATIVE_ISA=isa: { isa, outputs }, or { error } when it fails. */
function runUnder(isa, args = []) {
  const child = spawnSync(
    process.execPath,
    [fileURLToPath(new URL('./isa-child.mjs', import.meta.url)), ...args.map(String)],
    {
      env: { ...process.env, LSTMKIT_NATIVE_ISA: isa },
      encoding: 'utf8',
      maxBuffer: 256 << 20,
    },
  );
  return child.status === 0 ? JSON.parse(child.stdout) : { error: child.stderr };
}

describe('the build', () => {
  // CI has gcc and Node's headers: there the native path must not silently skip.
  const buildable =
    process.platform === 'linux' &&
    process.arch === 'x64' &&
    spawnSync(process.env.CC || 'gcc', ['--version']).status === 0 &&
    existsSync('/usr/include/node/node_api.h');
  it.runIf(buildable)('made the addon where gcc and the headers are', () => {
    expect(built).toBe(true);
  });
});

describe.skipIf(!built)('native kernel addon', () => {
  it('picks an instruction set at load: the widest this CPU runs, else LSTMKIT_NATIVE_ISA', () => {
    expect(ISAS).toContain(kernel.isa);
    // /proc/cpuinfo: Linux, where the addon is built.
    expect(runUnder('', [1, 4, 8, 8]).isa).toBe(ISAS.find(cpuHas));
    expect(runUnder('sse9', [1, 4, 8, 8]).error).toMatch(
      'LSTMKIT_NATIVE_ISA=sse9 is not avx512, avx2 or generic',
    );
    const lacking = ISAS.find((isa) => !cpuHas(isa));
    if (lacking !== undefined)
      expect(runUnder(lacking, [1, 4, 8, 8]).error).toMatch(
        `LSTMKIT_NATIVE_ISA=${lacking}, but this CPU lacks it`,
      );
  });

  it('gives forward, backward and weight gradients within 1e-5 of generic under each ISA', () => {
    // [T, B, D, H]: matmuls of 8 to 416 columns (every tail of the 16-float blocks: 104 =
    // 64 + 32 + 8, 56 = 48 + 8, 72 = 64 + 8, 24 = 16 + 8), rows blocks with 4, 2, 1 real rows,
    // weight gradients over T·B = 144 rows (two slices of 128).
    for (const shape of [
      [3, 48, 56, 104],
      [4, 36, 72, 24],
    ]) {
      const generic = runUnder('generic', shape);
      expect(generic.isa).toBe('generic');
      for (const isa of ISAS.filter((isa) => isa !== 'generic' && cpuHas(isa))) {
        const run = runUnder(isa, shape);
        expect(run.isa).toBe(isa);
        for (const [name, want] of Object.entries(generic.outputs)) {
          // Relative to the output's largest magnitude: near-zero entries come from cancellation.
          const scale = want.reduce((max, v) => Math.max(max, Math.abs(v)), 0);
          const worst = run.outputs[name].reduce(
            (max, v, i) => Math.max(max, Math.abs(v - want[i])),
            0,
          );
          expect(scale, name).toBeGreaterThan(0.1);
          expect(worst, `${isa} ${name}`).toBeLessThanOrEqual(1e-5 * scale);
        }
      }
    }
  });

  it('sums squares and runs tanh at byte offsets', () => {
    const { buffer, view } = memory(64, (i) => (i < 12 ? i - 6 : 0));
    expect(kernel.sumSquares(buffer, 0, 12)).toBe(146); // 36+25+...+1+0+1+...+25
    kernel.tanhArray(buffer, 0, 128, 12);
    for (let i = 0; i < 12; i++)
      expect(Math.abs(view[32 + i] - Math.tanh(i - 6))).toBeLessThan(5e-7);
  });

  it("takes one Adam step in tfjs's f32 order", () => {
    // p | g | m | v, 4 floats each, then the settings: scale, b1, b2, c1, c2, lr, eps, keep.
    const settings = [1, 0.9, 0.999, 0.1, 0.001, 0.01, 1e-7, 1];
    const initial = [0.5, -1, 2, 0, 0.1, 0.2, -0.3, 0];
    const { buffer, view } = memory(24, (i) => (i < 16 ? (initial[i] ?? 0) : settings[i - 16]));
    kernel.adam(buffer, 0, 16, 32, 48, 64, 0, 4);
    const f = Math.fround;
    for (let i = 0; i < 4; i++) {
      const g = f([0.1, 0.2, -0.3, 0][i]);
      const m = f(f(0 * f(0.9)) + f(g * f(1 - f(0.9))));
      const v = f(f(0 * f(0.999)) + f(f(g * g) * f(1 - f(0.999))));
      const step = f(f(m / f(0.1)) / f(f(Math.sqrt(f(v / f(0.001)))) + f(1e-7)));
      expect(view[8 + i]).toBe(m);
      expect(view[12 + i]).toBe(v);
      expect(view[i]).toBe(f(f(step * f(-0.01)) + f([0.5, -1, 2, 0][i])));
    }
  });

  it('gives the same forward pass on 1 and 2 threads (rows split in blocks of 4)', () => {
    const [T, B, D, H] = [5, 16, 8, 8];
    const sizes = {
      x: T * B * D,
      w: D * 4 * H,
      bias: 4 * H,
      u: H * 4 * H,
      acts: T * B * 4 * H,
      cs: (T + 1) * B * H,
      hs: (T + 1) * B * H,
      mask: T * B,
    };
    const at = {};
    let end = 0;
    for (const [name, size] of Object.entries(sizes)) [at[name], end] = [end * 4, end + size];
    const run = (threads) => {
      kernel.setThreads(threads);
      let seed = 1;
      const { buffer, view } = memory(end, () => {
        seed = (seed * 16807) % 2147483647;
        return seed / 2147483647 - 0.5;
      });
      view.fill(0, at.acts / 4, at.mask / 4);
      for (let i = 0; i < T * B; i++) view[at.mask / 4 + i] = i % 3 === 0 ? 0 : 1;
      const args = [T, B, D, H, at.x, at.w, at.bias, at.u, at.acts, at.cs, at.hs, at.mask, 1];
      kernel.run(0, buffer, B, 4, ...args);
      return Array.from(view.subarray(at.hs / 4, at.mask / 4));
    };
    const one = run(1);
    expect(one.some((v) => v !== 0)).toBe(true);
    expect(run(2)).toEqual(one);
    kernel.setThreads(1);
  });

  it('rejects a call with the wrong arguments', () => {
    expect(() => kernel.sumSquares(new ArrayBuffer(16), 0)).toThrow(/expected 3 arguments/);
    expect(() => kernel.sumSquares(new Float32Array(4), 0, 4)).toThrow(/ArrayBuffer/);
    expect(() => kernel.run(7, new ArrayBuffer(16), 4, 4)).toThrow(/run\(fn/);
  });
});
