/**
 * `recur-webgl` and `tfjs-layers-webgl`: Recur's webgl backend and tfjs-layers on the same tfjs
 * webgl engine, in one headless Chromium page (`../browser/page.ts`). They form the `webgl` group:
 * alternated with each other like every group, timed in the page. Without Chromium or WebGL 2 both
 * are reported `skipped` with the reason.
 */
import { fileURLToPath } from 'node:url';
import type { SequencePath } from '@recur/core';
import type { Page } from 'playwright';
import { openScriptPage } from '../browser/chromium.js';
import type { BenchPage, BenchPageInit, PageSystem } from '../browser/page.js';
import type { Cell, Mode, Workload } from '../workloads.js';
import { oneLine } from './backends.js';
import type { Contender, PreparedStep, TakenPath } from './types.js';

/** The webgl contenders of a run, the page's GL renderer, and how to close the browser. */
export interface WebglSession {
  readonly contenders: Contender[];
  /** `headless Chromium <version>, GL renderer <renderer>`, when the page started. */
  readonly detail: string | null;
  close(): Promise<void>;
}

// Playwright runs these functions' source in the page, so each names the page's global itself.
const pageInit = (page: Page): Promise<BenchPageInit> =>
  page.evaluate(() => (globalThis as { recurBench?: BenchPage }).recurBench!.init());
const pagePrepare = (
  page: Page,
  args: readonly [PageSystem, SequencePath, Cell, Workload, Mode],
): Promise<number> =>
  page.evaluate(
    ([s, p, c, w, m]) => (globalThis as { recurBench?: BenchPage }).recurBench!.prepare(s, p, c, w, m),
    args,
  );
const pageStep = (page: Page, id: number): Promise<number> =>
  page.evaluate((i) => (globalThis as { recurBench?: BenchPage }).recurBench!.step(i), id);
const pagePath = (page: Page, id: number): Promise<TakenPath> =>
  page.evaluate((i) => (globalThis as { recurBench?: BenchPage }).recurBench!.path(i), id);
const pageDispose = (page: Page, id: number): Promise<void> =>
  page.evaluate((i) => (globalThis as { recurBench?: BenchPage }).recurBench!.dispose(i), id);

/** Starts the page and builds the contenders asked for: Recur on each path, tfjs-layers if wanted. */
export async function startWebgl(
  paths: readonly ('fused' | 'composed')[],
  withLayers: boolean,
): Promise<WebglSession> {
  const opened = await openScriptPage(fileURLToPath(new URL('../browser/page.ts', import.meta.url)));
  let unavailable: string | undefined;
  let layersUnavailable: string | undefined;
  let detail: string | null = null;
  const page = 'unavailable' in opened ? undefined : opened.page;
  if ('unavailable' in opened) {
    unavailable = opened.unavailable;
  } else {
    try {
      const init = await pageInit(opened.page);
      if (init.ok) {
        detail = `headless Chromium ${opened.version}, GL renderer ${init.renderer}`;
        layersUnavailable = init.layersUnavailable ?? undefined;
      } else {
        unavailable = init.reason;
      }
    } catch (error) {
      unavailable = oneLine(error);
    }
  }
  const contender = (system: PageSystem, requestedPath: 'fused' | 'composed' | null): Contender => ({
    system: system === 'recur' ? 'recur-webgl' : 'tfjs-layers-webgl',
    requestedPath,
    kernel: null,
    group: 'webgl',
    unavailable: unavailable ?? (system === 'tfjs-layers' ? layersUnavailable : undefined),
    async prepare(cell, workload, mode): Promise<PreparedStep> {
      if (page === undefined) throw new Error('webgl is unavailable');
      const path: SequencePath = requestedPath === 'composed' ? 'composed' : 'auto';
      const id = await pagePrepare(page, [system, path, cell, workload, mode]);
      let taken: TakenPath = null;
      return {
        async step() {
          const ms = await pageStep(page, id);
          if (system === 'recur') taken = await pagePath(page, id);
          return ms;
        },
        path: () => taken,
        dispose: () => pageDispose(page, id),
      };
    },
  });
  const contenders = paths.map((p) => contender('recur', p));
  if (withLayers) contenders.push(contender('tfjs-layers', null));
  return {
    contenders,
    detail,
    close: async () => {
      if (!('unavailable' in opened)) await opened.close();
    },
  };
}
