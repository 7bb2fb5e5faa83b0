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

/** One validation pass as the status line showed it: the step it was taken at, and its loss. */
export interface ValidationPass {
  readonly step: number;
  readonly loss: number;
}

/**
 * From now on, notes every validation pass the status line shows (its loss, and the step it was taken
 * at) in the page's `window.validationPasses`, the way a person watching it would write them down: the
 * points the chart draws, so a test can find the best one itself instead of trusting the page's ★.
 */
export async function watchValidationPasses(page: Page): Promise<void> {
  await page.evaluate(() => {
    const passes: { step: number; loss: number }[] = [];
    (window as unknown as { validationPasses: typeof passes }).validationPasses = passes;
    const line = document.querySelector<HTMLElement>('#training-status')!;
    const note = () => {
      const { valStep, valLoss } = line.dataset;
      if (valStep === undefined || valLoss === undefined) return;
      // Every redraw sets the attributes again; like the page's own history, one step is one pass.
      if (passes.at(-1)?.step !== Number(valStep))
        passes.push({ step: Number(valStep), loss: Number(valLoss) });
    };
    note();
    new MutationObserver(note).observe(line, {
      attributes: true,
      attributeFilter: ['data-val-step', 'data-val-loss'],
    });
  });
}

/** The passes noted since {@link watchValidationPasses}. */
export function validationPasses(page: Page): Promise<ValidationPass[]> {
  return page.evaluate(() => (window as unknown as { validationPasses: ValidationPass[] }).validationPasses);
}

/** The first pass with the lowest loss (a later tie is no improvement), and how many passes came after it. */
export function bestPass(passes: readonly ValidationPass[]): { best: ValidationPass; after: number } {
  if (passes.length === 0) throw new Error('the status line has shown no validation pass');
  let best = passes[0]!;
  for (const pass of passes) if (pass.loss < best.loss) best = pass;
  return { best, after: passes.filter((pass) => pass.step > best.step).length };
}
