/**
 * End to end, the "Bring your own model" panel in headless Chromium (the system's, through
 * Playwright): builds the site into a temporary folder, serves it, uploads committed PyTorch and
 * ONNX fixtures with `setInputFiles`, checks the tensor table and the inferred module, runs the
 * module on the js backend, exports it, and checks that a malformed file gets its one-line error.
 * Screenshots at 390 and 1400 px go to `test/screenshots/`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BackendName } from './driver.js';
import { detectedBackends, launchChromium } from './driver.js';
import { type StaticServer, serveStatic } from './static-server.js';

const demoDir = fileURLToPath(new URL('..', import.meta.url));
const fixtures = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
const screenshots = fileURLToPath(new URL('./screenshots/', import.meta.url));
const SLOW = 300_000;

let outDir: string;
let server: StaticServer;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
let ready: BackendName[] = [];

/** Uploads a fixture (or bytes under a name) through the panel's file input. */
async function upload(file: string | { name: string; buffer: Buffer }): Promise<void> {
  const files =
    typeof file === 'string'
      ? {
          name: file.split('/').pop()!,
          mimeType: 'application/octet-stream',
          buffer: readFileSync(`${fixtures}${file}`),
        }
      : { ...file, mimeType: 'application/octet-stream' };
  await page.setInputFiles('#byo-file', files);
}

async function tensorRows(): Promise<string[]> {
  const rows = await page.locator('#byo-tensors tbody tr').all();
  return Promise.all(rows.map(async (row) => (await row.locator('th, td').allTextContents()).join(' | ')));
}

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  // Its own output folder: the main e2e test may be building `dist` at the same time.
  outDir = mkdtempSync(join(tmpdir(), 'recur-demo-byo-'));
  await build({
    root: demoDir,
    configFile: `${demoDir}vite.config.ts`,
    configLoader: 'runner',
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  server = await serveStatic(outDir);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
  await page.goto(server.url);
  ready = (await detectedBackends(page)).filter((r) => r.state === 'ready').map((r) => r.name);
}, SLOW);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (outDir !== undefined) rmSync(outDir, { recursive: true, force: true });
});

describe('Bring your own model', () => {
  test(
    'a projected LSTM in safetensors: table, module, run on js, ONNX refused with the reason',
    async () => {
      await upload('weights/lstm-l2-proj2-i3h4.safetensors');
      await expect.poll(() => page.locator('#byo-module').getAttribute('data-module')).toBe('LSTM');
      const module = (await page.locator('#byo-module').textContent()) ?? '';
      expect(module).toContain('projSize 2');
      const rows = await tensorRows();
      expect(rows).toContain('weight_ih_l0 | float32 | [16, 3]');
      expect(rows).toContain('weight_hr_l1 | float32 | [2, 4]');
      expect(await page.locator('#byo-option-batchFirst').isChecked()).toBe(false);
      expect(await page.textContent('#byo-input-shape')).toBe('[5, 2, 3]');
      await page.selectOption('#byo-backend', 'js');
      await page.click('#byo-run');
      const output = page.locator('#byo-output');
      await output.waitFor({ timeout: 60_000 });
      expect(await output.getAttribute('data-shape')).toBe('5,2,2');
      expect(['fused', 'composed']).toContain(await output.getAttribute('data-path'));
      expect(await page.textContent('#byo-values')).toMatch(/^first values: (-?[\d.e-]+, ){7}-?[\d.e-]+$/);
      expect(await page.locator('#byo-export-onnx').isDisabled()).toBe(true);
      expect(await page.textContent('#byo-onnx-refusal')).toContain('projSize = 2');
      await page.click('#byo-export-safetensors');
      expect(await page.locator('#byo-download').getAttribute('download')).toBe(
        'lstm-l2-proj2-i3h4.safetensors',
      );
      await page.setViewportSize({ width: 1400, height: 900 });
      await page.locator('#byo').screenshot({ path: `${screenshots}09-byo-1400.png` });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.locator('#byo').screenshot({ path: `${screenshots}09-byo-390.png` });
      // The panel fits the narrow screen: nothing in it is wider than the viewport or its own box.
      const fits = await page.evaluate(() => {
        const panel = document.getElementById('byo')!;
        const right = Math.max(
          ...[...panel.querySelectorAll('*')].map((e) => e.getBoundingClientRect().right),
        );
        return right <= window.innerWidth && panel.scrollWidth <= panel.clientWidth;
      });
      expect(fits).toBe(true);
      await page.setViewportSize({ width: 1400, height: 900 });
    },
    SLOW,
  );

  test(
    'batchFirst edited on a torch.save LSTM changes the input shape; ONNX export gives a download',
    async () => {
      await upload('weights/lstm-l1-i3h4.pt');
      await expect.poll(() => page.textContent('#byo-module')).toContain('hiddenSize 4');
      await page.check('#byo-option-batchFirst');
      await page.fill('#byo-seq-len', '7');
      expect(await page.textContent('#byo-input-shape')).toBe('[2, 7, 3]');
      await page.click('#byo-run');
      await expect.poll(() => page.locator('#byo-output').getAttribute('data-shape')).toBe('2,7,4');
      await page.click('#byo-export-onnx');
      expect(await page.locator('#byo-download').getAttribute('download')).toBe('lstm-l1-i3h4.onnx');
    },
    SLOW,
  );

  test(
    'every backend found runs the ONNX GRU to the same first values as js',
    async () => {
      await upload('onnx/gru-l1-i3h4-op14.onnx');
      await expect.poll(() => page.locator('#byo-module').getAttribute('data-module')).toBe('GRU');
      await page.fill('#byo-seq-len', '5');
      const values: Partial<Record<BackendName, number[]>> = {};
      for (const backend of ready) {
        await page.selectOption('#byo-backend', backend);
        await page.click('#byo-run');
        const output = page.locator(`#byo-output[data-backend="${backend}"]`);
        await output.waitFor({ timeout: 120_000 });
        console.log(`GRU on ${backend}: ${await output.textContent()}`);
        expect(await output.getAttribute('data-shape')).toBe('5,2,4');
        values[backend] = JSON.parse((await output.getAttribute('data-first')) ?? '[]');
      }
      for (const backend of ready) {
        for (const [i, v] of values[backend]!.entries())
          expect(Math.abs(v - values.js![i]!)).toBeLessThan(1e-5);
      }
    },
    SLOW,
  );

  test(
    'an ONNX GRU reads with its module; a malformed file shows one error line',
    async () => {
      await upload('onnx/gru-l1-i3h4-op14.onnx');
      await expect.poll(() => page.locator('#byo-module').getAttribute('data-module')).toBe('GRU');
      expect(await page.locator('#byo-error').isHidden()).toBe(true);
      await upload({ name: 'broken.safetensors', buffer: Buffer.from('not a safetensors file at all') });
      const error = page.locator('#byo-error');
      await error.waitFor();
      const message = (await error.textContent()) ?? '';
      console.log(`malformed file: ${message}`);
      expect(message).toMatch(/^broken\.safetensors could not be read as a safetensors file: .+\.$/);
      expect(message).not.toContain('\n');
      expect(await page.locator('#byo-module').count()).toBe(0);
      await page.locator('#byo').screenshot({ path: `${screenshots}09-byo-error.png` });
      expect(consoleErrors).toEqual([]);
    },
    SLOW,
  );
});
