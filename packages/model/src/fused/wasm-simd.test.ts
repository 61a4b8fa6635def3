import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../backend';
import { lstmWasmBase64 } from './lstm-wasm';
import { lstmWasmRelaxedBase64 } from './lstm-wasm-relaxed';

/**
 * The relaxed-SIMD and plain builds of the wasm kernel, and the choice between them. Vitest runs
 * without V8 flags, where Node 20 has no relaxed SIMD: the relaxed build runs in a child node
 * with --experimental-wasm-relaxed-simd (Node 22+: on by default), the plain one everywhere else.
 */

const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';
const SIMD_VAR = 'LSTMKIT_WASM_SIMD';

type Results = Record<string, number[]>;
type ChildReport = { simd: string; oneThread: Results; twoThreads: Results };

const nodeAccepts = (flags: string[]) =>
  spawnSync(process.execPath, [...flags, '-e', ''], { stdio: 'ignore' }).status === 0;
/** Whether this engine (no flags under vitest) runs the relaxed build. */
const relaxedHere = WebAssembly.validate(Buffer.from(lstmWasmRelaxedBase64, 'base64'));
// What a child node needs for relaxed SIMD: nothing (newer engines), the flag, or it cannot.
const relaxedFlags = relaxedHere ? [] : nodeAccepts([RELAXED_FLAG]) ? [RELAXED_FLAG] : undefined;

let dir: string;
let child: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lstmkit-wasm-simd-'));
  child = join(dir, 'child.mjs');
  // The child imports the kernel's TypeScript: bundled for plain node, as the package's build does.
  await build({
    entryPoints: [fileURLToPath(new URL('../__fixtures__/wasm-simd-child.ts', import.meta.url))],
    outfile: child,
    bundle: true,
    format: 'esm',
    platform: 'node',
    logLevel: 'error',
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runChild(flags: string[], simd: string | undefined): ChildReport {
  const env = { ...process.env };
  if (simd === undefined) delete env[SIMD_VAR];
  else env[SIMD_VAR] = simd;
  const run = spawnSync(process.execPath, [...flags, child], { env, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as ChildReport;
}

/** Largest absolute difference relative to the largest magnitude of `expected`. */
function maxRelativeDiff(actual: number[], expected: number[]): number {
  expect(actual).toHaveLength(expected.length);
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]!));
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
  }
  return diff / Math.max(scale, 1e-12);
}

describe.skipIf(relaxedFlags === undefined)(
  `the relaxed-SIMD build (skipped: this node knows no ${RELAXED_FLAG})`,
  () => {
    it('is chosen by LSTMKIT_WASM_SIMD=relaxed and agrees with the plain build within 1e-5', () => {
      const relaxed = runChild(relaxedFlags!, 'relaxed');
      const plain = runChild(relaxedFlags!, 'plain');
      expect(relaxed.simd).toBe('relaxed-simd');
      expect(plain.simd).toBe('simd');
      const names = ['output', 'dx', 'kernel', 'recurrentKernel', 'bias'];
      expect(Object.keys(relaxed.oneThread).sort()).toEqual([...names].sort());
      for (const name of names) {
        expect(
          maxRelativeDiff(relaxed.oneThread[name]!, plain.oneThread[name]!),
          name,
        ).toBeLessThan(1e-5);
        // Kernel threads run the same build: the same numbers as one thread, bit for bit.
        expect(relaxed.twoThreads[name], name).toEqual(relaxed.oneThread[name]);
        expect(plain.twoThreads[name], name).toEqual(plain.oneThread[name]);
      }
      // Real gradients, not zeros that agree trivially.
      expect(Math.max(...plain.oneThread.kernel!.map(Math.abs))).toBeGreaterThan(0.01);
    });

    it('is the default where the engine has relaxed SIMD', () => {
      expect(runChild(relaxedFlags!, undefined).simd).toBe('relaxed-simd');
    });
  },
);

describe('choosing the build', () => {
  const saved = process.env[SIMD_VAR];
  afterEach(() => {
    vi.restoreAllMocks();
    vi.resetModules();
    if (saved === undefined) delete process.env[SIMD_VAR];
    else process.env[SIMD_VAR] = saved;
  });

  /** wasmSimd() of a fresh lstm-kernel module (the choice is made once per module instance). */
  async function choose(validates: boolean, simd: string | undefined) {
    vi.spyOn(WebAssembly, 'validate').mockReturnValue(validates);
    if (simd === undefined) delete process.env[SIMD_VAR];
    else process.env[SIMD_VAR] = simd;
    vi.resetModules();
    const { wasmSimd } = await import('./lstm-kernel');
    return () => wasmSimd();
  }

  it('follows WebAssembly.validate of a relaxed-SIMD probe, unless LSTMKIT_WASM_SIMD says', async () => {
    expect((await choose(true, undefined))()).toBe('relaxed-simd');
    expect((await choose(false, undefined))()).toBe('simd');
    expect((await choose(true, 'plain'))()).toBe('simd');
    expect((await choose(true, 'relaxed'))()).toBe('relaxed-simd');
    expect(await choose(false, 'relaxed')).toThrow(
      /no relaxed SIMD .*--experimental-wasm-relaxed-simd/,
    );
    expect(await choose(true, 'fma')).toThrow(/LSTMKIT_WASM_SIMD=fma: use relaxed or plain/);
  });

  it('picks relaxed SIMD exactly where the relaxed build validates', async () => {
    vi.resetModules();
    delete process.env[SIMD_VAR];
    const { wasmSimd } = await import('./lstm-kernel');
    expect(WebAssembly.validate(Buffer.from(lstmWasmBase64, 'base64'))).toBe(true);
    expect(wasmSimd()).toBe(relaxedHere ? 'relaxed-simd' : 'simd');
  });
});

describe('without V8 flags', () => {
  it('a child node and this one pick the same build, and the backend line says which', async () => {
    const expected = relaxedHere ? 'relaxed-simd' : 'simd';
    // Node 20 (V8 11.3) has relaxed SIMD only behind the flag: the plain build.
    if (process.versions.node.startsWith('20.')) expect(expected).toBe('simd');
    expect(runChild([], undefined).simd).toBe(expected);
    const lines: string[] = [];
    await initBackend({ backend: 'wasm', kernel: 'wasm', threads: 2, log: (l) => lines.push(l) });
    expect(lines[0]).toContain(`fused LSTM kernel wasm ${expected}, 2 threads`);
  });
});
