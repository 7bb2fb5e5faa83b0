/**
 * Drives the demo page the way a person would (clicks, typing) and reads what it shows, for the
 * e2e test. Everything read here is on the page as text or as data attributes of visible elements.
 */
import { chromiumPath } from '@recur/conformance/chromium';
import type { Browser, Page } from 'playwright';
import { chromium } from 'playwright';

/**
 * Headless Chromium as every Recur browser run starts it: the Chromium `@recur/conformance/chromium`
 * names (`$RECUR_CHROMIUM`, else Debian's /usr/bin/chromium; never a download), WebGL 2 on
 * SwiftShader where there is no GPU (no `--use-gl=swiftshader`: tfjs would be refused its context).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--disable-quic'] });
}

/** The backends the page lists, in its order. */
export const backendNames = ['js', 'wasm', 'tfjs-cpu', 'webgl'] as const;
export type BackendName = (typeof backendNames)[number];

/** One backend as the page describes it. */
export interface BackendRow {
  readonly name: BackendName;
  readonly state: string;
  readonly status: string;
}

/** Waits until the page has checked every backend; returns what it says about each. */
export async function detectedBackends(page: Page): Promise<BackendRow[]> {
  await page.waitForFunction(() => document.body.dataset.backendsReady !== undefined, null, {
    timeout: 120_000,
  });
  return Promise.all(
    backendNames.map(async (name) => {
      const item = page.locator(`li[data-backend="${name}"]`);
      return {
        name,
        state: (await item.getAttribute('data-state')) ?? '',
        status: (await item.locator('.backend-status').getAttribute('data-text')) ?? '',
      };
    }),
  );
}

/** Installs a capture listener that records, for every click, the time from the input event to the next frame. */
export async function recordClickLatency(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { clickLatencies: number[] };
    w.clickLatencies = [];
    document.addEventListener(
      'click',
      (event) => {
        const start = event.timeStamp;
        requestAnimationFrame(() => setTimeout(() => w.clickLatencies.push(performance.now() - start), 0));
      },
      { capture: true },
    );
  });
}

/** Latencies recorded so far (ms). */
export function clickLatencies(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { clickLatencies: number[] }).clickLatencies);
}

/** Waits until the trainer is idle or stopped (not busy, not training). */
export async function waitSettled(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const state = document.querySelector<HTMLElement>('.training')?.dataset.state;
      return state === 'ready' || state === 'idle';
    },
    null,
    { timeout },
  );
}

/** Fills the training controls (only the fields given). */
export async function setControls(page: Page, values: Partial<Record<string, string>>): Promise<void> {
  for (const [name, value] of Object.entries(values)) {
    const field = page.locator(`#field-${name}`);
    if ((await field.evaluate((e) => e.tagName)) === 'SELECT') await field.selectOption(value!);
    else await field.fill(value!);
  }
}

/** Reads the status line's numbers. */
export async function status(
  page: Page,
): Promise<{ text: string; step: number; first: number; last: number }> {
  const line = page.locator('#training-status');
  return {
    text: (await line.textContent()) ?? '',
    step: Number(await line.getAttribute('data-step')),
    first: Number(await line.getAttribute('data-first-val-loss')),
    last: Number(await line.getAttribute('data-val-loss')),
  };
}

/** Trains from a fresh model on `backend` for at least `steps` steps; returns the validation losses and the Stop click's latency. */
export async function trainFresh(
  page: Page,
  backend: BackendName,
  steps: number,
): Promise<{
  firstValLoss: number;
  lastValLoss: number;
  steps: number;
  stopClickMs: number;
  statusText: string;
}> {
  await page.locator(`#backend-${backend}`).check();
  await waitSettled(page);
  await page.click('#reset');
  await waitSettled(page);
  await page.click('#start');
  await page.waitForFunction(
    (n) => Number(document.querySelector<HTMLElement>('#training-status')?.dataset.step) >= n,
    steps,
    { timeout: 180_000 },
  );
  const before = (await clickLatencies(page)).length;
  await page.click('#stop');
  await page.waitForFunction(
    (n) => (window as unknown as { clickLatencies: number[] }).clickLatencies.length > n,
    before,
  );
  const stopClickMs = (await clickLatencies(page))[before]!;
  await waitSettled(page);
  const s = await status(page);
  return { firstValLoss: s.first, lastValLoss: s.last, steps: s.step, stopClickMs, statusText: s.text };
}

/** Stops training if it is running (so a test starts from a settled page whatever ran before). */
export async function stopIfTraining(page: Page): Promise<void> {
  await waitSettledOrTraining(page);
  if ((await page.locator('.training').getAttribute('data-state')) === 'training') await page.click('#stop');
  await waitSettled(page);
}

async function waitSettledOrTraining(page: Page): Promise<void> {
  await page.waitForFunction(
    () => document.querySelector<HTMLElement>('.training')?.dataset.state !== 'busy',
    null,
    {
      timeout: 120_000,
    },
  );
}
