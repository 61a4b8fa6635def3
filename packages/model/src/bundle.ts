import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LstmkitError } from '@lstmkit/preprocess';
import {
  checkReplaceable,
  type OwnedState,
  recoverInterruptedReplace,
  type Strangers,
  writeDirectoryAtomic,
} from './atomic-directory';
import { ensureBackend } from './backend';
import {
  assembleBundle,
  type Bundle,
  type BundleContents,
  type BundleManifest,
  corrupt,
  encodeBundle,
  MANIFEST_FILE,
  missingFile,
  type Sha256,
  verifyBundle,
} from './bundle-format';

export {
  BUNDLE_FORMAT_VERSION,
  type Bundle,
  type BundleContents,
  type BundleManifest,
} from './bundle-format';

const sha256: Sha256 = async (bytes) => createHash('sha256').update(bytes).digest('hex');

/**
 * Writes a bundle directory atomically (temp directory + rename); an existing bundle at `dir`
 * is replaced only once the new one is complete.
 */
export async function saveBundle(dir: string, contents: BundleContents): Promise<void> {
  const files = await encodeBundle(contents, sha256);
  await writeDirectoryAtomic(resolve(dir), files, bundleStrangers, 'model bundle');
}

/**
 * A bundle we wrote holds its manifest and exactly the files the manifest lists: anything else
 * in the directory (or a directory without a readable manifest) is not ours to replace.
 */
const bundleStrangers: Strangers = async (dir, names) => {
  const listed = await readFile(join(dir, MANIFEST_FILE), 'utf8').then(
    (text) => {
      const manifest = JSON.parse(text) as Partial<BundleManifest>;
      return typeof manifest.files === 'object' && manifest.files !== null
        ? new Set([MANIFEST_FILE, ...Object.keys(manifest.files)])
        : undefined;
    },
    () => undefined,
  );
  return listed === undefined ? [...names] : names.filter((name) => !listed.has(name));
};

/**
 * Whether `dir` may receive a bundle: absent, empty, or a bundle lstmkit wrote (a symlink is
 * followed). Otherwise an INVALID_OUTPUT_DIR error names the files found. Finishes a save that
 * a crash interrupted between its two renames first.
 */
export async function checkBundleDirectory(dir: string): Promise<OwnedState> {
  return (await checkReplaceable(resolve(dir), bundleStrangers, 'model bundle')).state;
}

async function checkDirectory(dir: string): Promise<void> {
  await recoverInterruptedReplace(dir, bundleStrangers, 'model bundle');
  const info = await stat(dir).catch(() => undefined);
  if (info?.isDirectory()) return;
  throw new LstmkitError(
    'BUNDLE_NOT_FOUND',
    info === undefined
      ? `No model bundle directory at ${dir}.`
      : `${dir} is a file; a model bundle is a directory.`,
    {
      hint: 'Train a model first (lstmkit train --out DIR writes a bundle directory) or check the path.',
    },
  );
}

/**
 * Loads a bundle written by saveBundle, verifying the manifest hashes, the format version and
 * that the model, vocabulary and config agree. Every failure is an LstmkitError naming the file.
 */
export async function loadBundle(dir: string): Promise<Bundle> {
  const root = resolve(dir);
  await checkDirectory(root);
  const verified = await verifyBundle(
    root,
    async (name) => {
      try {
        return await readFile(join(root, name));
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') throw missingFile(root, name);
        throw corrupt(root, `cannot read ${name}: ${(error as Error).message}`, error);
      }
    },
    sha256,
  );
  await ensureBackend();
  return assembleBundle(verified);
}
