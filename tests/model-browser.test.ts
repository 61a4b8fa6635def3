import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Classifier, initBackend } from '@lstmkit/model';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipWithoutChromium } from './fixtures/chromium';
import { type StaticServer, serveStatic } from './fixtures/static-server';
import { repoRoot, trainTinyBundle } from './fixtures/tiny-bundle';
import { probeSentences } from './fixtures/tiny-data';

// @lstmkit/model's browser entry (the `browser` export condition), bundled as an app would and
// run in headless Chromium: it loads a bundle over HTTP, verifies it with Web Crypto, and must
// predict what Node predicts for the same bundle.

const entry = `
import { Classifier, initBackend, loadBundle } from '@lstmkit/model';
const lines = [];
const info = await initBackend({ backend: 'wasm', wasmPaths: '/wasm/', log: (l) => lines.push(l) });
const classifier = new Classifier(await loadBundle('/bundle/'));
const predictions = classifier.predict(${JSON.stringify(probeSentences)});
const failure = async (source) => loadBundle(source).then(() => 'loaded', (e) => ({ code: e.code, message: e.message }));
// The same bundle through a FileSystemDirectoryHandle (the origin-private file system).
const folder = await (await navigator.storage.getDirectory()).getDirectoryHandle('copy', { create: true });
for (const name of ['manifest.json', 'model.json', 'weights.bin', 'preprocess.json', 'bundle.json']) {
  const bytes = await (await fetch('/bundle/' + name)).arrayBuffer();
  const writable = await (await folder.getFileHandle(name, { create: true })).createWritable();
  await writable.write(bytes);
  await writable.close();
}
const fromHandle = new Classifier(await loadBundle(folder)).predict(${JSON.stringify(probeSentences)});
await folder.removeEntry('weights.bin');
globalThis.lstmkitResult = {
  fromHandle: fromHandle.map((p) => p.probabilities),
  handleMissing: await failure(folder),
  info, lines,
  probabilities: predictions.map((p) => p.probabilities),
  labels: predictions.map((p) => p.label),
  tampered: await failure('/tampered/'),
  missing: await failure('/nothing-here/'),
};
`;

let dir: string;
let bundle: string;
let server: StaticServer;

describe.skipIf(skipWithoutChromium)('@lstmkit/model browser entry in headless Chromium', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lstmkit-model-browser-'));
    ({ bundle } = trainTinyBundle(dir));
    const tampered = join(dir, 'tampered');
    cpSync(bundle, tampered, { recursive: true });
    const weights = join(tampered, 'weights.bin');
    const bytes = readFileSync(weights);
    bytes[0]! ^= 1;
    writeFileSync(weights, bytes);

    const script = await build({
      stdin: { contents: entry, resolveDir: import.meta.dirname, loader: 'js' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    const modelRequire = createRequire(join(repoRoot, 'packages/model/package.json'));
    const wasmDir = dirname(modelRequire.resolve('@tensorflow/tfjs-backend-wasm'));
    server = await serveStatic(
      {
        '/': '<!doctype html><title>lstmkit</title><script type="module" src="/app.js"></script>',
        '/app.js': script.outputFiles[0]!.text,
      },
      { '/wasm/': wasmDir, '/bundle/': bundle, '/tampered/': tampered },
    );
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads a bundle by URL or directory handle and predicts what Node predicts (within 1e-5)', async () => {
    const browser = await launchChromium();
    let result: {
      info: { name: string };
      lines: string[];
      probabilities: number[][];
      fromHandle: number[][];
      handleMissing: { code: string; message: string };
      labels: string[];
      tampered: { code: string; message: string };
      missing: { code: string; message: string };
    };
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${server.url}/`);
      await page.waitForFunction(() => 'lstmkitResult' in globalThis, null, { timeout: 30_000 });
      result = await page.evaluate(
        () => (globalThis as unknown as { lstmkitResult: never }).lstmkitResult,
      );
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }

    await initBackend({ backend: 'wasm', log: () => {} });
    const classifier = await Classifier.load(bundle);
    const node = classifier.predict(probeSentences);
    classifier.dispose();

    expect(result.info.name).toBe('wasm');
    expect(result.lines).toEqual([
      expect.stringMatching(/^lstmkit: backend wasm \(simd, 1 thread; requested\)$/),
    ]);
    expect(result.labels).toEqual(node.map((p) => p.label));
    node.forEach((prediction, i) => {
      prediction.probabilities.forEach((p, k) => {
        expect(Math.abs(result.probabilities[i]![k]! - p)).toBeLessThan(1e-5);
      });
    });
    // Not a constant model: the probes get different probabilities.
    expect(new Set(node.map((p) => p.probability.toFixed(4))).size).toBeGreaterThan(2);

    expect(result.fromHandle).toEqual(result.probabilities);
    expect(result.handleMissing).toEqual({
      code: 'BUNDLE_CORRUPT',
      message: 'Model bundle copy/: weights.bin is missing.',
    });
    expect(result.tampered.code).toBe('BUNDLE_CORRUPT');
    expect(result.tampered.message).toMatch(
      /weights\.bin does not match its sha256 in manifest\.json/,
    );
    expect(result.missing.code).toBe('BUNDLE_NOT_FOUND');
    expect(result.missing.message).toMatch(/manifest\.json answers 404/);
  });
});
