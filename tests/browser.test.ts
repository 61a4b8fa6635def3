import { pipelinePresets, TextPipeline } from '@lstmkit/preprocess';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { launchChromium, skipWithoutChromium } from './fixtures/chromium';

// The preprocess core must run in a browser: bundled for the browser platform (any `node:` import
// fails the build) and executed in headless Chromium, it must encode exactly as Node does.

const corpus = [
  'A good film, truly!',
  'It was not good.',
  "Don't watch it: <br />awful & dull",
  'Visit https://x.io 42 times',
];

const entry = `
import { TextPipeline, pipelinePresets, tokenize, cleanText } from '@lstmkit/preprocess';
const corpus = ${JSON.stringify(corpus)};
const pipeline = TextPipeline.fit(corpus, pipelinePresets.default);
globalThis.lstmkitResult = {
  encoded: corpus.map((text) => Array.from(pipeline.encode(text))),
  vocabulary: pipeline.vocabulary.toJSON(),
};
`;

describe.skipIf(skipWithoutChromium)('@lstmkit/preprocess in headless Chromium', () => {
  it('bundles for the browser and encodes exactly as in Node', async () => {
    const bundle = await build({
      stdin: { contents: entry, resolveDir: import.meta.dirname, loader: 'js' },
      bundle: true,
      platform: 'browser',
      format: 'iife',
      write: false,
      logLevel: 'silent',
    });
    const script = bundle.outputFiles[0]!.text;

    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.setContent('<!doctype html><title>lstmkit</title>');
      await page.addScriptTag({ content: script });
      const result = await page.evaluate(
        () => (globalThis as unknown as { lstmkitResult: unknown }).lstmkitResult,
      );
      expect(errors).toEqual([]);

      const pipeline = TextPipeline.fit(corpus, pipelinePresets.default);
      expect(result).toEqual({
        encoded: corpus.map((text) => Array.from(pipeline.encode(text))),
        vocabulary: pipeline.vocabulary.toJSON(),
      });
    } finally {
      await browser.close();
    }
  });
});
