import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildTinyBundle } from './tiny-bundle.js';

declare module 'vitest' {
  export interface ProvidedContext {
    bundleDir: string;
  }
}

/** One tiny trained bundle shared by every test file. */
export default async function setup(project: TestProject) {
  const root = await mkdtemp(join(tmpdir(), 'lstmkit-server-test-'));
  const bundleDir = join(root, 'tiny');
  await buildTinyBundle(bundleDir);
  project.provide('bundleDir', bundleDir);
  return () => rm(root, { recursive: true, force: true });
}
