import { spawnSync } from 'node:child_process';
import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainTiny } from './__fixtures__/tiny-bundle';
import { lockDirectory } from './atomic-directory';
import { initBackend } from './backend';
import { type BundleContents, checkBundleDirectory, loadBundle, saveBundle } from './bundle';

let root: string;
let tiny: BundleContents;

beforeAll(async () => {
  await initBackend({ log: () => {} });
  root = await mkdtemp(join(tmpdir(), 'lstmkit-owned-'));
  tiny = await trainTiny();
});

afterAll(async () => {
  tiny.model.dispose();
  await rm(root, { recursive: true, force: true });
});

/** A directory holding a user's work: what no lstmkit command may ever delete. */
async function usersDirectory(): Promise<string> {
  const dir = await mkdtemp(join(root, 'user-'));
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'thesis.txt'), 'precious');
  return dir;
}

const saveError = (dir: string) =>
  saveBundle(dir, tiny).then(
    () => undefined,
    (e) => e,
  );

/** A pid no process has: one that just exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('saveBundle never deletes what lstmkit did not write', () => {
  it('refuses a directory of user files, naming them, and leaves it as it was', async () => {
    const dir = await usersDirectory();
    const error = await saveError(dir);
    expect(error.code).toBe('INVALID_OUTPUT_DIR');
    expect(error.message).toContain('sub/');
    expect(error.message).toContain('thesis.txt');
    expect(await readFile(join(dir, 'thesis.txt'), 'utf8')).toBe('precious');
    expect((await readdir(dir)).sort()).toEqual(['sub', 'thesis.txt']);
    expect((await readdir(root)).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it('refuses a file in place of the directory', async () => {
    const file = join(root, 'data.tsv');
    await writeFile(file, 'good\t1\n');
    expect((await saveError(file)).code).toBe('INVALID_OUTPUT_DIR');
    expect(await readFile(file, 'utf8')).toBe('good\t1\n');
  });

  it('refuses a bundle with a file added by the user', async () => {
    const dir = join(root, 'bundle-plus');
    await saveBundle(dir, tiny);
    await writeFile(join(dir, 'notes.md'), 'mine');
    const error = await saveError(dir);
    expect(error.message).toContain('notes.md');
    expect(await readFile(join(dir, 'notes.md'), 'utf8')).toBe('mine');
  });

  it('refuses a <dir>.previous that is not a bundle of ours', async () => {
    const dir = join(root, 'with-previous');
    await saveBundle(dir, tiny);
    await mkdir(`${dir}.previous`);
    await writeFile(join(`${dir}.previous`, 'keep.txt'), 'keep');
    expect((await saveError(dir)).code).toBe('INVALID_OUTPUT_DIR');
    expect(await readFile(join(`${dir}.previous`, 'keep.txt'), 'utf8')).toBe('keep');
  });

  it('replaces an empty directory and a bundle of its own', async () => {
    const dir = join(root, 'empty');
    await mkdir(dir);
    expect(await checkBundleDirectory(dir)).toBe('empty');
    await saveBundle(dir, tiny);
    expect(await checkBundleDirectory(dir)).toBe('ours');
    await saveBundle(dir, tiny);
    const loaded = await loadBundle(dir);
    loaded.model.dispose();
  });

  it('follows a symlinked directory, keeping the link', async () => {
    const target = join(root, 'target');
    const link = join(root, 'link');
    await saveBundle(target, tiny);
    await symlink(target, link);
    await saveBundle(link, tiny);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(target);
    expect(await readdir(target)).toContain('manifest.json');
  });

  it('removes temporary directories of dead writers, and only those', async () => {
    const dir = join(root, 'orphans');
    const dead = join(root, `.orphans.tmp-${deadPid()}-0123abcd`);
    const live = join(root, `.orphans.tmp-${process.pid}-4567cdef`);
    await mkdir(dead);
    await writeFile(join(dead, 'model.json'), '{}');
    await mkdir(live);
    await saveBundle(dir, tiny);
    const left = (await readdir(root)).filter((name) => name.startsWith('.orphans.tmp-'));
    expect(left).toEqual([`.orphans.tmp-${process.pid}-4567cdef`]);
  });

  it('leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    await saveBundle(join(root, 'memory'), tiny);
    (await loadBundle(join(root, 'memory'))).model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('lockDirectory', () => {
  it('lets one writer in, names the holder to the next, and takes over a dead one', async () => {
    const dir = join(root, 'locked');
    const release = await lockDirectory(dir, 'model bundle');
    const second = await lockDirectory(dir, 'model bundle').catch((e) => e);
    expect(second.code).toBe('OUTPUT_IN_USE');
    expect(second.message).toContain(`pid ${process.pid}`);
    await release();
    await expect(readdir(root)).resolves.not.toContain('locked.lock');

    await writeFile(`${dir}.lock`, JSON.stringify({ lstmkitLock: 1, pid: deadPid() }));
    const again = await lockDirectory(dir, 'model bundle');
    expect(JSON.parse(await readFile(`${dir}.lock`, 'utf8')).pid).toBe(process.pid);
    await again();
  });

  it('refuses to replace a .lock file it did not write', async () => {
    const dir = join(root, 'foreign-lock');
    await writeFile(`${dir}.lock`, 'my own file');
    expect((await lockDirectory(dir, 'model bundle').catch((e) => e)).code).toBe(
      'INVALID_OUTPUT_DIR',
    );
    expect(await readFile(`${dir}.lock`, 'utf8')).toBe('my own file');
  });
});
