import { Readable } from 'node:stream';
import { serverSettings } from '@lstmkit/server';
import { describe, expect, it } from 'vitest';
import type { CliIo } from './cli-io.js';
import { runCli } from './run-cli.js';

function captureIo(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (chunk: string) => (out += chunk) },
    stderr: { write: (chunk: string) => (err += chunk) },
    stdin: Readable.from([]),
    env: {},
    cwd: process.cwd(),
    out: () => out,
    err: () => err,
  };
}

describe('runCli (embedded)', () => {
  it('writes to the given streams and resolves with the exit code', async () => {
    const io = captureIo();
    expect(await runCli(['--version'], io)).toBe(0);
    expect(io.out()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('serve has every flag apps/server has (both come from serverSettings)', async () => {
    const io = captureIo();
    expect(await runCli(['serve', '--help'], io)).toBe(0);
    expect(serverSettings.length).toBeGreaterThan(10);
    for (const { flag } of serverSettings) expect(io.out()).toMatch(new RegExp(`--${flag} [<[]`));
  });

  it('serve needs --model or --models, not both', async () => {
    const none = captureIo();
    expect(await runCli(['serve'], none)).toBe(2);
    expect(none.err()).toContain('missing required flag --model <dir> (or --models <dir>)');
    const both = captureIo();
    expect(await runCli(['serve', '--model', 'a', '--models', 'b'], both)).toBe(2);
    expect(both.err()).toContain('give --model or --models, not both');
  });

  it('prints help without arguments and exits 0', async () => {
    const io = captureIo();
    expect(await runCli([], io)).toBe(0);
    expect(io.out()).toContain('Usage: lstmkit');
  });

  it('reports bad usage as one line and a hint, exit 2, without colour off a terminal', async () => {
    const io = captureIo();
    expect(await runCli(['predict', '--model'], io)).toBe(2);
    expect(io.err()).toBe("error: --model needs a value\n  hint: see 'lstmkit predict --help'\n");
  });

  it('colours errors when FORCE_COLOR is set', async () => {
    const io = { ...captureIo(), env: { FORCE_COLOR: '1' } };
    let err = '';
    io.stderr = { write: (chunk: string) => (err += chunk) };
    expect(await runCli(['trian'], io)).toBe(2);
    expect(err).toContain('\u001b[31m');
  });
});
