import { cp, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A model repository on disk: `{name}/{version}/` copies of bundles. */
export async function makeRepository(layout: Record<string, Record<number, string>>): Promise<{
  dir: string;
  add: (name: string, version: number, bundle: string) => Promise<void>;
  remove: () => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'lstmkit-repo-'));
  /** Copied beside, then renamed in: a scan never sees a half-copied version. */
  const add = async (name: string, version: number, bundle: string) => {
    await mkdir(join(dir, name), { recursive: true });
    const staging = join(dir, name, `.staging-${version}`);
    await cp(bundle, staging, { recursive: true });
    await rename(staging, join(dir, name, String(version)));
  };
  for (const [name, versions] of Object.entries(layout)) {
    for (const [version, bundle] of Object.entries(versions))
      await add(name, Number(version), bundle);
  }
  return { dir, add, remove: () => rm(dir, { recursive: true, force: true }) };
}
