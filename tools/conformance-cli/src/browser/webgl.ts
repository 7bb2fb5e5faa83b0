/**
 * `webgl` for the command line: the cases run in headless Chromium (Debian's `chromium`, driven by
 * Playwright, which never downloads a browser here). The page is bundled from source with esbuild
 * when the command runs, so a fresh clone needs no build step; one page runs every case.
 */
import { fileURLToPath } from 'node:url';
import { openScriptPage } from '@recur/bench/browser';
import type { CaseResult, ConformanceCase } from '@recur/conformance';
import type { DType } from '@recur/core';
import type { CaseRunner } from '../runner.js';
import type { ConformancePage } from './page.js';

export { chromiumPath } from '@recur/bench/browser';

/** Cases per `page.evaluate`, so that a crash loses little and the event loop breathes. */
const BATCH = 12;

/** Starts Chromium with the webgl page, or says why webgl cannot run here. */
export async function loadWebglRunner(
  extraArgs: readonly string[] = [],
): Promise<CaseRunner | { unavailable: string }> {
  const opened = await openScriptPage(fileURLToPath(new URL('./page.ts', import.meta.url)), extraArgs);
  if ('unavailable' in opened) return opened;
  const { page, version } = opened;
  try {
    const init = await page.evaluate(() =>
      (globalThis as { recurConformance?: ConformancePage }).recurConformance!.init(),
    );
    if (!init.ok) {
      await opened.close();
      return { unavailable: init.reason };
    }
    return {
      dtypes: init.dtypes as DType[],
      detail: `headless Chromium ${version}, GL renderer ${init.renderer}`,
      async run(cases, options) {
        const results: CaseResult[] = [];
        for (let i = 0; i < cases.length; i += BATCH) {
          const batch: readonly ConformanceCase[] = cases.slice(i, i + BATCH);
          try {
            results.push(
              ...(await page.evaluate(
                ([c, o]) =>
                  (globalThis as { recurConformance?: ConformancePage }).recurConformance!.run(c, o),
                [batch, options] as const,
              )),
            );
          } catch (error) {
            const message = `browser: ${error instanceof Error ? error.message : String(error)}`.split(
              '\n',
            )[0]!;
            for (const c of batch) {
              results.push({
                case: c.name,
                backend: 'webgl',
                dtype: options.dtype,
                path: null,
                status: 'error',
                atol: options.tolerance.atol,
                rtol: options.tolerance.rtol,
                errors: {},
                message,
              });
            }
          }
        }
        return results;
      },
      timeW1Train: () =>
        page.evaluate(() =>
          (globalThis as { recurConformance?: ConformancePage }).recurConformance!.timeW1Train(),
        ),
      close: () => opened.close(),
    };
  } catch (error) {
    await opened.close().catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    return { unavailable: `cannot start headless Chromium: ${message.split('\n')[0]}` };
  }
}
