import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLstmkitError } from '@lstmkit/model';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { request } from './__fixtures__/http.js';
import { type RunningServer, startServer } from './start-server.js';

const modelDir = inject('bundleDir');
let root: string;
let uiDir: string;
let server: RunningServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lstmkit-ui-'));
  uiDir = join(root, 'web');
  await mkdir(join(uiDir, 'assets'), { recursive: true });
  await writeFile(join(uiDir, 'index.html'), '<!doctype html><title>lstmkit</title>');
  await writeFile(join(uiDir, 'assets', 'app-1234.js'), 'console.log(1)');
  server = await startServer({ modelDir, port: 0, uiDir });
});

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

describe('the web page beside the API (uiDir)', () => {
  it('serves the page at / and its assets, hashed ones as immutable', async () => {
    const page = await request(server.url, { path: '/' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toBe('<!doctype html><title>lstmkit</title>');
    const asset = await request(server.url, { path: '/assets/app-1234.js' });
    expect(asset.text).toBe('console.log(1)');
    expect(asset.headers['cache-control']).toContain('immutable');
  });

  it('serves the loaded bundle byte for byte at /bundle/, and nothing else from disk', async () => {
    const manifest = await request(server.url, { path: '/bundle/manifest.json' });
    expect(manifest.status).toBe(200);
    expect(manifest.text).toBe(await readFile(join(modelDir, 'manifest.json'), 'utf8'));
    expect((await request(server.url, { path: '/bundle/../../etc/passwd' })).status).toBe(404);
    expect(
      (await request(server.url, { path: '/index.html/..%2f..%2fmanifest.json' })).status,
    ).toBe(404);
  });

  it('keeps the API routes', async () => {
    expect((await request(server.url, { path: '/health' })).json).toEqual({ status: 'ok' });
  });

  it('refuses a uiDir without a built page, naming it', async () => {
    const error = await startServer({ modelDir, port: 0, uiDir: join(root, 'missing') }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isLstmkitError(error) && error.code).toBe('UI_NOT_FOUND');
    expect((error as Error).message).toContain(join(root, 'missing'));
  });
});
