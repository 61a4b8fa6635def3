import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Where an interrupted replace leaves the previous directory (see writeDirectoryAtomic). */
export function previousPath(dir: string): string {
  return join(dirname(dir), `${basename(dir)}.previous`);
}

async function fsync(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Writes `files` as the whole content of `dir`: into a temporary directory beside it (same file
 * system), each file fsynced, then renamed into place. An existing `dir` is first moved to
 * `<dir>.previous` and removed only once the new one is in place, so a crash at any point
 * leaves either the old or the new directory complete (Node has no atomic directory exchange;
 * the window between the two renames is the only moment `dir` is absent).
 */
export async function writeDirectoryAtomic(
  dir: string,
  files: ReadonlyMap<string, Uint8Array>,
): Promise<void> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const temp = join(
    parent,
    `.${basename(dir)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  await mkdir(temp);
  try {
    for (const [name, bytes] of files) {
      const handle = await open(join(temp, name), 'wx');
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    await fsync(temp);
    const previous = previousPath(dir);
    const replacing = await exists(dir);
    if (replacing) {
      await rm(previous, { recursive: true, force: true });
      await rename(dir, previous);
    }
    await rename(temp, dir);
    await fsync(parent);
    // Also clears a `.previous` left by an earlier interrupted save.
    await rm(previous, { recursive: true, force: true });
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}
