import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, readFile, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LstmkitError } from '@lstmkit/preprocess';

/**
 * Names in `dir` that its writer did not put there (empty when the directory is all ours).
 * Each kind of directory we write (bundle, run state, report) recognises its own files.
 */
export type Strangers = (dir: string, names: readonly string[]) => Promise<string[]>;

export type OwnedState = 'absent' | 'empty' | 'ours';

/** Where an interrupted replace leaves the previous directory (see writeDirectoryAtomic). */
export function previousPath(dir: string): string {
  return join(dirname(dir), `${basename(dir)}.previous`);
}

const TEMP_NAME = /^\.(.+)\.tmp-(\d+)-[0-9a-f]{8}$/;

function tempPath(dir: string): string {
  return join(
    dirname(dir),
    `.${basename(dir)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

const errno = (error: unknown) => (error as NodeJS.ErrnoException).code;

function describeNames(names: readonly string[]): string {
  const shown = names.slice(0, 5).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

/**
 * A symlinked output directory is followed: we write into its target, and the link stays.
 * Anything else is returned as given.
 */
export async function followSymlink(dir: string): Promise<string> {
  const info = await lstat(dir).catch(() => undefined);
  return info?.isSymbolicLink() ? realpath(dir) : dir;
}

/**
 * Whether `dir` may be replaced: absent, empty, or holding only what its writer recognises as
 * its own. Anything else (a user's files, a dataset, a file instead of a directory) is refused
 * with an error naming what was found, so no caller can ever delete what lstmkit did not write.
 */
export async function checkOwnedDirectory(
  dir: string,
  strangers: Strangers,
  what: string,
): Promise<OwnedState> {
  const info = await lstat(dir).catch((error) => {
    // ENOTDIR: a parent is a file; whoever writes there finds out with a clearer error.
    if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') return undefined;
    throw error;
  });
  if (info === undefined) return 'absent';
  if (!info.isDirectory()) {
    throw new LstmkitError(
      'INVALID_OUTPUT_DIR',
      `${dir} is ${info.isSymbolicLink() ? 'a symbolic link' : 'a file'}, not a ${what} directory lstmkit wrote; refusing to replace it.`,
      { hint: 'Choose a new or empty directory for the output.' },
    );
  }
  const names = (await readdir(dir, { withFileTypes: true })).map((entry) =>
    entry.isDirectory() ? `${entry.name}/` : entry.name,
  );
  if (names.length === 0) return 'empty';
  const foreign = await strangers(dir, names);
  if (foreign.length > 0) {
    throw new LstmkitError(
      'INVALID_OUTPUT_DIR',
      `${dir} holds files lstmkit did not write (${describeNames(foreign)}); refusing to replace it.`,
      {
        hint: `Choose a new or empty directory; lstmkit replaces only a ${what} it wrote itself.`,
      },
    );
  }
  return 'ours';
}

/**
 * Finishes what a crash between the two renames of writeDirectoryAtomic left: `dir` absent and
 * its previous content complete at `<dir>.previous`. True when it restored the directory.
 */
export async function recoverInterruptedReplace(
  dir: string,
  strangers: Strangers,
  what: string,
): Promise<boolean> {
  if ((await lstat(dir).catch(() => undefined)) !== undefined) return false;
  const previous = previousPath(dir);
  const state = await checkOwnedDirectory(previous, strangers, what).catch(() => 'foreign');
  if (state !== 'ours') return false;
  await rename(previous, dir);
  return true;
}

/**
 * The directory a replace of `target` writes (a symlink is followed), once an interrupted
 * replace there is finished, and its state: replaceable, or an error naming what is not ours.
 */
export async function checkReplaceable(
  target: string,
  strangers: Strangers,
  what: string,
): Promise<{ dir: string; state: OwnedState }> {
  const dir = await followSymlink(target);
  await recoverInterruptedReplace(dir, strangers, what);
  return { dir, state: await checkOwnedDirectory(dir, strangers, what) };
}

/**
 * Removes `.<dir>.tmp-<pid>-*` directories left by writers that died (their pid is gone),
 * when they hold nothing but files of the kind being written (a temp has no manifest yet).
 */
async function removeOrphanedTemps(dir: string, fileNames: ReadonlySet<string>): Promise<void> {
  const parent = dirname(dir);
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    const match = TEMP_NAME.exec(name);
    if (match?.[1] !== basename(dir) || isAlive(Number(match[2]))) continue;
    const temp = join(parent, name);
    const content = await readdir(temp).catch(() => undefined);
    if (content?.every((file) => fileNames.has(file))) {
      await rm(temp, { recursive: true, force: true });
    }
  }
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errno(error) === 'EPERM';
  }
}

async function fsync(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `files` as the whole content of `dir`: into a temporary directory beside it (same file
 * system), each file fsynced, then renamed into place. An existing `dir` (which must be ours,
 * see checkOwnedDirectory) is first moved to `<dir>.previous` and removed only once the new one
 * is in place, so a crash at any point leaves either the old or the new directory complete
 * (Node has no atomic directory exchange; recoverInterruptedReplace closes the one window where
 * `dir` is absent).
 */
export async function writeDirectoryAtomic(
  target: string,
  files: ReadonlyMap<string, Uint8Array>,
  strangers: Strangers,
  what: string,
): Promise<void> {
  const { dir, state } = await checkReplaceable(target, strangers, what);
  const replacing = state !== 'absent';
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const previous = previousPath(dir);
  const hasPrevious = (await checkOwnedDirectory(previous, strangers, what)) !== 'absent';
  await removeOrphanedTemps(dir, new Set(files.keys()));
  const temp = tempPath(dir);
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
    if (hasPrevious) await rm(previous, { recursive: true, force: true });
    if (replacing) await rename(dir, previous);
    await rename(temp, dir);
    await fsync(parent);
    if (replacing) await rm(previous, { recursive: true, force: true });
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

interface LockFile {
  lstmkitLock: 1;
  pid: number;
  startedAt: string;
}

/**
 * Takes `<dir>.lock` for this process, so two writers of one directory fail clearly instead of
 * racing through each other's renames. A lock whose process is gone is taken over. Returns the
 * release, which removes the lock only while it is still this process's.
 */
export async function lockDirectory(dir: string, what: string): Promise<() => Promise<void>> {
  const path = `${dir}.lock`;
  const mine: LockFile = { lstmkitLock: 1, pid: process.pid, startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(dirname(path), { recursive: true });
      const handle = await open(path, 'wx');
      await handle.writeFile(JSON.stringify(mine));
      await handle.close();
      break;
    } catch (error) {
      if (errno(error) !== 'EEXIST' || attempt > 0) throw error;
    }
    const held = await readLock(path);
    if (held === undefined) {
      throw new LstmkitError(
        'INVALID_OUTPUT_DIR',
        `${path} exists and is not a lock lstmkit wrote; refusing to replace it.`,
        { hint: 'Move that file away or choose another output directory.' },
      );
    }
    if (isAlive(held.pid)) {
      throw new LstmkitError(
        'OUTPUT_IN_USE',
        `Another lstmkit process (pid ${held.pid}, since ${held.startedAt}) is writing the ${what} ${dir}.`,
        { hint: 'Wait for it to finish, stop it, or choose another output directory.' },
      );
    }
    await rm(path, { force: true });
  }
  return async () => {
    if ((await readLock(path))?.pid === process.pid) await rm(path, { force: true });
  };
}

async function readLock(path: string): Promise<LockFile | undefined> {
  try {
    const lock = JSON.parse(await readFile(path, 'utf8')) as Partial<LockFile>;
    return lock.lstmkitLock === 1 && Number.isInteger(lock.pid) ? (lock as LockFile) : undefined;
  } catch {
    return undefined;
  }
}
