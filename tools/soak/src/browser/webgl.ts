/**
 * `webgl` for the soak: the training loop runs in a headless Chromium page (the page helper shared
 * with `pnpm bench` and `pnpm conformance`, from `@recur/bench/browser`), a chunk of steps per
 * `page.evaluate`; the page reports losses, live tensors, its JS heap and tfjs's GPU bytes, and this
 * side adds the RSS of Chromium's renderer and GPU processes (`rss.ts`).
 */
import { fileURLToPath } from 'node:url';
import { openScriptPage } from '@recur/bench/browser';
import { oneLine } from '../backends.js';
import { describePaths, type Subject } from '../subject.js';
import type { SoakPage } from './page.js';
import { chromiumRss } from './rss.js';

/** Chromium flags for exact heap figures: `gc()` in the page and an unrounded `performance.memory`. */
const MEMORY_FLAGS = ['--js-flags=--expose-gc', '--enable-precise-memory-info'];

/** Starts Chromium with the soak page, or says why webgl cannot run here. */
export async function webglSubject(
  seed: number,
  extraArgs: readonly string[] = [],
): Promise<Subject | { unavailable: string }> {
  const opened = await openScriptPage(fileURLToPath(new URL('./page.ts', import.meta.url)), [
    ...MEMORY_FLAGS,
    ...extraArgs,
  ]);
  if ('unavailable' in opened) return opened;
  const { page, version } = opened;
  try {
    const init = await page.evaluate(
      (s) => (globalThis as { recurSoak?: SoakPage }).recurSoak!.init(s),
      seed,
    );
    if (!init.ok) {
      await opened.close();
      return { unavailable: init.reason };
    }
    const heapNote = init.preciseHeap ? '' : ' (page heap without gc(): noisy)';
    return {
      backend: 'webgl',
      mode: 'browser',
      async detail() {
        const paths = await page.evaluate(() => (globalThis as { recurSoak?: SoakPage }).recurSoak!.paths());
        return `headless Chromium ${version}, GL renderer ${init.renderer}${heapNote}; ${describePaths(paths)}`;
      },
      run: (firstStep, count) =>
        page.evaluate(([f, c]) => (globalThis as { recurSoak?: SoakPage }).recurSoak!.run(f, c), [
          firstStep,
          count,
        ] as const),
      async probe() {
        const probe = await page.evaluate(() => (globalThis as { recurSoak?: SoakPage }).recurSoak!.probe());
        return { ...probe, rss: chromiumRss() };
      },
      async close() {
        await page
          .evaluate(() => (globalThis as { recurSoak?: SoakPage }).recurSoak!.dispose())
          .catch(() => undefined);
        await opened.close();
      },
    };
  } catch (error) {
    await opened.close().catch(() => undefined);
    return { unavailable: `cannot start the webgl page: ${oneLine(error)}` };
  }
}
