import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipWithoutChromium } from './fixtures/chromium';
import { cliBin, cliProbabilities, repoRoot, trainTinyBundle } from './fixtures/tiny-bundle';

// The page (apps/web) as a user gets it: served by `lstmkit serve` next to the API, in headless
// Chromium. Every number it shows must be the CLI's.

const artifacts = join(repoRoot, 'tests/artifacts');
const sentences = ['the film was really good and fun', 'a dull and boring plot', 'zebra superb'];
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

let dir: string;
let data: string;
let bundle: string;
let serve: ChildProcess;
let url: string;
let browser: Browser;
let page: Page;

function startServe(model: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [cliBin, 'serve', '--model', model, '--port', '0'], {
    env: { ...process.env, NO_COLOR: '1', LSTMKIT_BACKEND: 'wasm' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdout!.once('data', (chunk: Buffer) => resolve({ child, url: chunk.toString().trim() }));
    child.once('exit', (code) => reject(new Error(`lstmkit serve exited (${code}): ${stderr}`)));
  });
}

/** axe-core on the visible view: no serious or critical violations. */
async function accessibilityViolations(): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: never[] }> } }).axe;
    const result = await axe.run();
    return (
      result.violations as { id: string; impact: string; nodes: { target: string[] }[] }[]
    ).map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.targets.join(', ')}`);
}

/** How far the visible view is wider than a 360 px phone screen (0: it fits). */
async function phoneOverflow(): Promise<number> {
  await page.setViewportSize({ width: 360, height: 740 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.setViewportSize({ width: 1000, height: 900 });
  return Math.max(0, width - 360);
}

async function shownProbabilities(count: number): Promise<number[]> {
  await page.fill('#try-input', sentences.join('\n'));
  await page.waitForFunction(
    (n) => document.querySelectorAll('#try-results .probability').length === n,
    count,
  );
  return (await page.locator('#try-results .probability').allTextContents()).map(Number);
}

function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => {
    expect(Math.abs(value - expected[i]!), `sentence ${i}`).toBeLessThanOrEqual(1e-5);
  });
}

describe.skipIf(skipWithoutChromium)(
  'apps/web served by lstmkit serve, in headless Chromium',
  () => {
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'lstmkit-web-'));
      mkdirSync(artifacts, { recursive: true });
      ({ data, bundle } = trainTinyBundle(dir));
      ({ child: serve, url } = await startServe(bundle));
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${url}/`);
      await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 30_000 });
      expect(errors).toEqual([]);
    });

    afterAll(async () => {
      await browser?.close();
      serve?.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    });

    it('Try: opens the served model; shown probabilities are `lstmkit predict --json`', async () => {
      await expect
        .poll(() => page.locator('#model-status').textContent())
        .toBe('Model: served model (neg / pos)');
      expect(await page.evaluate(() => document.body.dataset.backend)).toBe(
        'lstmkit: backend wasm (simd, 1 thread; requested)',
      );
      const shown = await shownProbabilities(sentences.length);
      expectClose(shown, cliProbabilities(bundle, sentences, dir));

      // Unknown words are marked; the model input is the encoded ids as tokens.
      expect(
        await page.locator('#try-results li').nth(2).locator('mark.unk').allTextContents(),
      ).toEqual(['zebra']);
      expect(await page.locator('#try-results li').nth(2).locator('.seen').textContent()).toBe(
        'Model input (2 of 12 tokens): <unk> superb',
      );

      expect(await phoneOverflow()).toBe(0);

      await page.check('#try-server');
      await expect.poll(() => page.locator('#try-results .server.agree').count()).toBe(3);
      expect(await accessibilityViolations()).toEqual([]);
    });

    it('Report: charts the served bundle’s training report (screenshot in tests/artifacts)', async () => {
      // Keyboard: the tabs follow the WAI-ARIA pattern (arrow keys move and select).
      await page.focus('#tab-try');
      await page.keyboard.press('ArrowRight');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-report');
      expect(await page.locator('#view-report').isVisible()).toBe(true);
      expect(await page.locator('#view-try').isVisible()).toBe(false);
      await page.waitForSelector('#report .chart.history svg');
      const report = JSON.parse(readFileSync(`${bundle}.report/report.json`, 'utf8'));
      // One point per evaluation in the history chart, the ROC curve, one bar per length bin.
      expect(await page.locator('#report .chart.roc path.series').count()).toBe(2);
      expect(await page.locator('#report .chart.lengths rect.bar').count()).toBe(
        report.lengths.histogram.length,
      );
      expect(await page.locator('#report .chart.lengths line.marker').count()).toBe(1);
      const cells = await page.locator('#report table.confusion tbody td').allTextContents();
      expect(cells.map(Number)).toEqual(report.metrics.test.confusionMatrix.flat());
      const facts = await page.locator('#report .model-facts dd').first().textContent();
      expect(facts).toMatch(/^[\d,]+$/);
      await page.screenshot({ path: join(artifacts, 'web-report.png'), fullPage: true });
      expect(await phoneOverflow()).toBe(0);
      expect(await accessibilityViolations()).toEqual([]);
    });

    it('Train: trains in a worker; the downloaded bundle predicts in the CLI what the page shows', async () => {
      await page.click('#tab-train');
      await page.setInputFiles('#train-file', data);
      for (const [id, value] of [
        ['train-epochs', '2'],
        ['train-seq-len', '12'],
        ['train-hidden', '8'],
        ['train-embedding', '8'],
        ['train-batch', '16'],
      ] as const) {
        await page.fill(`#${id}`, value);
      }
      await page.click('#train-start');
      // Done (download enabled) or failed (an error shown): fail with the page's message.
      await page.waitForFunction(
        () =>
          !(document.getElementById('train-download') as HTMLButtonElement).disabled ||
          document.getElementById('train-error')!.textContent !== '',
        null,
        { timeout: 60_000 },
      );
      expect(await page.locator('#train-error').textContent()).toBe('');
      expect(await page.locator('#train-chart path.series').count()).toBeGreaterThan(0);
      expect(await phoneOverflow()).toBe(0);
      expect(await accessibilityViolations()).toEqual([]);

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click('#train-download'),
      ]);
      expect(download.suggestedFilename()).toBe('tiny.tar');
      const archive = join(dir, 'tiny.tar');
      await download.saveAs(archive);
      const extracted = join(dir, 'downloaded');
      mkdirSync(extracted);
      execFileSync('tar', ['-xf', archive, '-C', extracted]);

      await page.click('#tab-try');
      expect(await page.locator('#model-status').textContent()).toBe('Model: tiny (neg / pos)');
      const shown = await shownProbabilities(sentences.length);
      expectClose(shown, cliProbabilities(join(extracted, 'tiny'), sentences, dir));
      // The server switch is only for the served model.
      expect(await page.locator('#try-server').isDisabled()).toBe(true);
    });
  },
);
