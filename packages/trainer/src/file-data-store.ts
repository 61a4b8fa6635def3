import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LstmkitError, type PipelineJSON } from '@lstmkit/preprocess';
import { ATOMIC_TEMP, writeFileAtomic } from './atomic-write.js';
import { DATA_FILE, type DataManifest, type DataStore } from './data-store.js';

/** An encoded-data directory of ours holds manifest, pipeline, shards and atomic-write temps. */
export async function dataStrangers(_dir: string, names: readonly string[]): Promise<string[]> {
  return names.filter((name) => !DATA_FILE.test(name.replace(ATOMIC_TEMP, '')));
}

/** Encoded data in `dir` (`<out>.data/`), checked to be ours by `checkOutputs` before the run. */
export function fileDataStore(dir: string): DataStore {
  const manifestPath = join(dir, 'manifest.json');
  return {
    dir,
    async readManifest() {
      const text = await readFile(manifestPath, 'utf8').catch(() => undefined);
      if (text === undefined) return undefined;
      try {
        const manifest = JSON.parse(text) as DataManifest;
        if (manifest.format !== 'lstmkit-encoded-data' || manifest.formatVersion !== 1) {
          return undefined;
        }
        const pipeline = JSON.parse(
          await readFile(join(dir, 'pipeline.json'), 'utf8'),
        ) as PipelineJSON;
        return { manifest, pipeline };
      } catch {
        // Unreadable: treated as absent, and replaced by the next encoding.
        return undefined;
      }
    },
    async clear() {
      await rm(manifestPath, { force: true });
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names) {
        if (DATA_FILE.test(name.replace(ATOMIC_TEMP, '')))
          await rm(join(dir, name), { force: true });
      }
      await mkdir(dir, { recursive: true });
    },
    async writeShard(file, bytes) {
      const handle = await open(join(dir, file), 'w');
      try {
        await handle.writeFile(bytes);
        // On disk before the manifest that lists it.
        await handle.sync();
      } finally {
        await handle.close();
      }
    },
    async readShard(file) {
      try {
        return await readFile(join(dir, file));
      } catch (cause) {
        throw new LstmkitError(
          'INVALID_DATA_DIR',
          `Cannot read ${join(dir, file)}: ${(cause as Error).message}`,
          {
            hint: `Delete ${dir}; the next run encodes the data again.`,
            cause,
          },
        );
      }
    },
    async commit(manifest, pipeline) {
      await writeFileAtomic(join(dir, 'pipeline.json'), JSON.stringify(pipeline));
      await writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    },
  };
}
