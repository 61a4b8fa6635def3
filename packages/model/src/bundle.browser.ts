import { LstmkitError } from '@lstmkit/preprocess';
import { ensureBackend } from './backend.browser';
import {
  assembleBundle,
  BUNDLE_FILES,
  type Bundle,
  type BundleContents,
  corrupt,
  encodeBundle,
  MANIFEST_FILE,
  missingFile,
  type ReadBundleFile,
  type Sha256,
  verifyBundle,
} from './bundle-format';

/**
 * Where a browser finds a bundle: the URL of its directory (e.g. `lstmkit serve`'s /bundle/),
 * the bundle's files picked or dropped by the user, or a directory handle (File System Access).
 */
export type BundleSource = string | URL | readonly File[] | FileList | FileSystemDirectoryHandle;

const sha256: Sha256 = async (bytes) => {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
};

const notFound = (where: string, why: string) =>
  new LstmkitError('BUNDLE_NOT_FOUND', `No model bundle at ${where}: ${why}.`, {
    hint: 'Give the URL of a bundle directory (it holds manifest.json), or pick all of its files.',
  });

function urlReader(source: string | URL): { where: string; read: ReadBundleFile } {
  const base = new URL(String(source), globalThis.location?.href);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const where = base.href;
  return {
    where,
    async read(name) {
      let response: Response;
      try {
        response = await fetch(new URL(name, base));
      } catch (error) {
        if (name === MANIFEST_FILE) throw notFound(where, `cannot fetch ${name} (${error})`);
        throw corrupt(where, `cannot fetch ${name}: ${(error as Error).message}`, error);
      }
      if (response.status === 404) {
        if (name === MANIFEST_FILE) throw notFound(where, `${name} answers 404`);
        throw missingFile(where, name);
      }
      if (!response.ok) {
        throw corrupt(where, `cannot fetch ${name}: HTTP ${response.status}.`);
      }
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}

function filesReader(files: readonly File[]): { where: string; read: ReadBundleFile } {
  const byName = new Map(files.map((file) => [file.name, file]));
  const manifest = byName.get(MANIFEST_FILE);
  // The folder name, when the files come from a directory picker or drop.
  const folder = (manifest as { webkitRelativePath?: string } | undefined)?.webkitRelativePath
    ?.split('/')
    .slice(-2, -1)[0];
  const where = folder ? `${folder}/ (picked files)` : 'the picked files';
  if (manifest === undefined) {
    throw notFound(
      where,
      `${MANIFEST_FILE} is not among them (a bundle is ${BUNDLE_FILES.join(', ')})`,
    );
  }
  return {
    where,
    async read(name) {
      const file = byName.get(name);
      if (file === undefined) throw missingFile(where, name);
      return new Uint8Array(await file.arrayBuffer());
    },
  };
}

function directoryReader(handle: FileSystemDirectoryHandle): {
  where: string;
  read: ReadBundleFile;
} {
  const where = `${handle.name}/`;
  return {
    where,
    async read(name) {
      let file: File;
      try {
        file = await (await handle.getFileHandle(name)).getFile();
      } catch (error) {
        if ((error as DOMException).name !== 'NotFoundError') {
          throw corrupt(where, `cannot read ${name}: ${(error as Error).message}`, error);
        }
        if (name === MANIFEST_FILE) throw notFound(where, `the folder has no ${name}`);
        throw missingFile(where, name);
      }
      return new Uint8Array(await file.arrayBuffer());
    },
  };
}

function readerFor(source: BundleSource) {
  if (typeof source === 'string' || source instanceof URL) return urlReader(source);
  if (typeof (source as FileSystemDirectoryHandle).getFileHandle === 'function') {
    return directoryReader(source as FileSystemDirectoryHandle);
  }
  return filesReader(Array.from(source as ArrayLike<File>));
}

/**
 * Loads a bundle in a browser with the same checks as in Node (manifest sha256 through Web
 * Crypto, format versions, model/vocabulary/config agreement) and the same LstmkitErrors.
 */
export async function loadBundle(source: BundleSource): Promise<Bundle> {
  const { where, read } = readerFor(source);
  const verified = await verifyBundle(where, read, sha256);
  await ensureBackend();
  return assembleBundle(verified);
}

/** The bundle's files, as saveBundle writes them in Node, for a download or a directory. */
export function bundleFiles(contents: BundleContents): Promise<Map<string, Uint8Array>> {
  return encodeBundle(contents, sha256);
}
