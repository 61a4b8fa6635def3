import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { LstmkitError } from '@lstmkit/model';
import type { FastifyInstance } from 'fastify';

const BUNDLE_FILES = [
  'manifest.json',
  'model.json',
  'weights.bin',
  'preprocess.json',
  'bundle.json',
];
const REPORT_FILES = ['report.json', 'history.jsonl'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'application/jsonl; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

async function readIfPresent(path: string): Promise<Buffer | undefined> {
  return readFile(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
}

/**
 * The built web page at `/`, the served bundle's files at /bundle/ and its training report
 * (`<modelDir>.report/`) at /report/. Everything is read once at startup and each file is its
 * own route, so no request path reaches the file system, and the page gets exactly the bundle
 * that /predict runs even if the directory is replaced later.
 */
export async function registerUiRoutes(
  app: FastifyInstance,
  options: { uiDir: string; modelDir: string },
): Promise<void> {
  const { uiDir, modelDir } = options;
  const pages: string[] = await filesUnder(uiDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [];
    throw error;
  });
  if (!pages.includes('index.html')) {
    throw new LstmkitError('UI_NOT_FOUND', `${uiDir} holds no built page (index.html)`, {
      hint: 'Build apps/web (pnpm --filter @lstmkit/web build), or serve without the page (--no-ui).',
    });
  }
  const serve = (url: string, body: Buffer, name: string, cache: string) => {
    const type = TYPES[extname(name)] ?? 'application/octet-stream';
    app.get(url, async (_request, reply) =>
      reply.type(type).header('cache-control', cache).send(body),
    );
  };
  for (const page of pages) {
    const body = await readFile(join(uiDir, page));
    // Vite names assets by content hash; the rest must be revalidated.
    const cache = page.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    serve(page === 'index.html' ? '/' : `/${page}`, body, page, cache);
  }
  for (const name of BUNDLE_FILES) {
    const body = await readIfPresent(join(modelDir, name));
    if (body !== undefined) serve(`/bundle/${name}`, body, name, 'no-cache');
  }
  for (const name of REPORT_FILES) {
    const body = await readIfPresent(join(`${modelDir}.report`, name));
    if (body !== undefined) serve(`/report/${name}`, body, name, 'no-cache');
  }
}
