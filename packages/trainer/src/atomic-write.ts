import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';

/** The suffix writeFileAtomic's temp files carry while they are written. */
export const ATOMIC_TEMP = /\.\d+\.[0-9a-f]{8}\.tmp$/;

/** Write to a temp file beside `path`, then rename: readers see the old or the new file, never half. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
