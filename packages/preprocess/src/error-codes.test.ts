import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCatalog, errorCodeInfo } from './error-codes';

const repo = resolve(import.meta.dirname, '../../..');
const docsPath = join(repo, 'docs/errors.md');

/** docs/errors.md, generated from the catalog. */
function errorTable(): string {
  const rows = Object.entries(errorCatalog)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, e]) => `| \`${code}\` | ${e.exitCode} | ${e.httpStatus} | ${e.meaning} |`);
  return [
    '# Error codes',
    '',
    '<!-- Generated from packages/preprocess/src/error-codes.ts by',
    '     `pnpm --filter @lstmkit/preprocess errors:docs`; do not edit by hand. -->',
    '',
    'Every `LstmkitError` carries one of these codes. The `lstmkit` command exits with the exit',
    'code, the server answers with the HTTP status and `{"error": {"code", "message"}}`.',
    '',
    '| Code | Exit | HTTP | Meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

/** Every non-test TypeScript source file of the packages. */
function sources(dir = join(repo, 'packages')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      return ['node_modules', 'dist', '__fixtures__'].includes(entry.name) ? [] : sources(path);
    }
    return path.endsWith('.ts') && !path.endsWith('.test.ts') && path.includes('/src/')
      ? [path]
      : [];
  });
}

describe('error catalog', () => {
  it('documents every code thrown or answered anywhere in the packages', () => {
    // LstmkitError's constructor only takes catalog codes (the compiler checks those); this
    // catches codes that reach users another way: error reports, HTTP bodies, helpers.
    const pattern =
      /(?:LstmkitError\(\s*|\bcode: |errorBody\(\s*|(?:invalid|fail|corrupt)\w*\(\s*)'([A-Z][A-Z0-9_]+)'/g;
    const missing: string[] = [];
    for (const file of sources()) {
      for (const [, code] of readFileSync(file, 'utf8').matchAll(pattern)) {
        if (!Object.hasOwn(errorCatalog, code!))
          missing.push(`${code} (${file.slice(repo.length + 1)})`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('gives exit 2 and HTTP 400 to bad usage and invalid input, by the naming rule', () => {
    for (const [code, info] of Object.entries(errorCatalog)) {
      const invalid = code.startsWith('INVALID_') || code.startsWith('USAGE_');
      expect([code, info.exitCode === 2]).toEqual([code, invalid]);
      if (invalid) expect([code, info.httpStatus]).toEqual([code, 400]);
    }
    expect(errorCodeInfo('INVALID_SOMETHING_NEW')).toMatchObject({ exitCode: 2, httpStatus: 400 });
    expect(errorCodeInfo('SOMETHING_ELSE')).toMatchObject({ exitCode: 1, httpStatus: 500 });
  });

  it('is the table in docs/errors.md', () => {
    if (process.env.LSTMKIT_WRITE_DOCS === '1') writeFileSync(docsPath, errorTable());
    expect(readFileSync(docsPath, 'utf8')).toBe(errorTable());
  });
});
