import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildTinyBundle } from './tiny-bundle.js';

declare module 'vitest' {
  export interface ProvidedContext {
    bundleDir: string;
    /** Another tiny model with the same labels: a second version in repository tests. */
    otherBundleDir: string;
  }
}

/** Tiny trained bundles shared by every test file. */
export default async function setup(project: TestProject) {
  const root = await mkdtemp(join(tmpdir(), 'lstmkit-server-test-'));
  const bundleDir = join(root, 'tiny');
  const otherBundleDir = join(root, 'tiny-other');
  await buildTinyBundle(bundleDir);
  await buildTinyBundle(otherBundleDir, 2);
  project.provide('bundleDir', bundleDir);
  project.provide('otherBundleDir', otherBundleDir);
  return () => rm(root, { recursive: true, force: true });
}
