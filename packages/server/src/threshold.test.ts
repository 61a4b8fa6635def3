import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Classifier, loadBundle, saveBundle } from '@lstmkit/model';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jsonRequest } from './__fixtures__/http.js';
import { type RunningServer, startServer } from './start-server.js';

const texts = ['the film was great', 'this was awful', 'i love the acting', 'it was dull'];
let root: string;
let server: RunningServer;
let threshold: number;
let probabilities: number[];

beforeAll(async () => {
  // The shared bundle again, with a threshold between its two highest scores of the texts.
  root = await mkdtemp(join(tmpdir(), 'lstmkit-server-threshold-'));
  const bundle = await loadBundle(inject('bundleDir'));
  const plain = new Classifier(bundle);
  probabilities = plain.predict(texts).map((p) => p.probability);
  const sorted = [...probabilities].sort((a, b) => a - b);
  threshold = (sorted[2]! + sorted[3]!) / 2; // only the top text is positive
  const dir = join(root, 'tuned');
  await saveBundle(dir, { ...bundle, threshold });
  plain.dispose();
  server = await startServer({ modelDir: dir, port: 0, maxBatchSize: 8, maxWaitMs: 5 });
});

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

describe("the bundle's decision threshold", () => {
  it('decides the served labels: P(positive) >= threshold is positive', async () => {
    const res = await jsonRequest(server.url, 'POST', '/predict', { input: texts });
    expect(res.status).toBe(200);
    const labels: string[] = res.json.labels;
    expect(labels).toEqual(probabilities.map((p) => (p >= threshold ? 'positive' : 'negative')));
    expect(labels.filter((l) => l === 'positive')).toHaveLength(1);
    // the default rule would have answered otherwise
    expect(probabilities.filter((p) => p >= 0.5)).toHaveLength(2);
  });
});
