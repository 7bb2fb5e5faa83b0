/**
 * `webgl` for the command line: the cases run in headless Chromium (see `../../chromium.ts`: which
 * Chromium, and the optional peers `playwright-core` and `esbuild`). The page (`page.ts`, shipped as
 * source) is bundled with esbuild when the command runs, with `@recur/backend-webgl` from the
 * user's project; one page runs every case.
 */
import { fileURLToPath } from 'node:url';
import type { DType } from '@recur/core';
import type { ConformanceCase } from '../../case-format.js';
import { openScriptPage } from '../../chromium.js';
import type { CaseResult, RunCaseOptions } from '../../run-case.js';
import type { CaseRunner } from '../runner.js';

export { chromiumPath } from '../../chromium.js';

/** What `init` reports: the backend is ready, or why this browser cannot run it. */
export type PageInit =
  | { readonly ok: true; readonly dtypes: string[]; readonly renderer: string; readonly userAgent: string }
  | { readonly ok: false; readonly reason: string };

/** The functions the command line calls through `page.evaluate` (`page.ts`). */
export interface ConformancePage {
  init(): Promise<PageInit>;
  run(cases: readonly ConformanceCase[], options: RunCaseOptions): CaseResult[];
  /** Median ms of a W1 LSTM training step on webgl. */
  timeW1Train(): number;
}

/**
 * The page's source: `src/cli/browser/page.ts` from here and from `dist/cli/browser/` alike (the
 * package ships `src`), so the build never needs `@recur/backend-webgl`, an optional peer.
 */
const pageEntry = fileURLToPath(new URL('../../../src/cli/browser/page.ts', import.meta.url));

/** Cases per `page.evaluate`, so that a crash loses little and the event loop breathes. */
const BATCH = 12;

/** Starts Chromium with the webgl page, or says why webgl cannot run here. */
export async function loadWebglRunner(
  extraArgs: readonly string[] = [],
): Promise<CaseRunner | { unavailable: string }> {
  const opened = await openScriptPage(pageEntry, extraArgs);
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
