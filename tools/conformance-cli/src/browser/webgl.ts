/**
 * `webgl` for the command line: the cases run in headless Chromium (Debian's `chromium`, driven by
 * Playwright, which never downloads a browser here). The page is bundled from source with esbuild
 * when the command runs, so a fresh clone needs no build step; one page runs every case.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CaseResult, ConformanceCase } from '@recur/conformance';
import type { DType } from '@recur/core';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright';
import type { CaseRunner } from '../runner.js';
import type { ConformancePage } from './page.js';

/** Debian's Chromium (`apt-get install chromium`). */
export const chromiumPath = '/usr/bin/chromium';

/**
 * WebGL 2 on SwiftShader where there is no GPU. Playwright adds `--no-sandbox` and
 * `--enable-unsafe-swiftshader`; `--use-gl=swiftshader` must NOT be passed: tfjs asks for a context
 * with `failIfMajorPerformanceCaveat`, would be refused, and would fall back to its cpu backend.
 */
const CHROMIUM_ARGS = ['--disable-quic'];

/** Cases per `page.evaluate`, so that a crash loses little and the event loop breathes. */
const BATCH = 12;

const root = fileURLToPath(new URL('../../../..', import.meta.url));

/** Bundles `page.ts` (and the backend, tfjs and the frontend) into one script for the page. */
async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./page.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    // Resolves `@recur/*` to each package's src, as the tests and tsx do.
    tsconfig: `${root}/tsconfig.json`,
  });
  return result.outputFiles[0]!.text;
}

/** Starts Chromium with the webgl page, or says why webgl cannot run here. */
export async function loadWebglRunner(
  extraArgs: readonly string[] = [],
): Promise<CaseRunner | { unavailable: string }> {
  if (!existsSync(chromiumPath)) {
    return { unavailable: `no Chromium at ${chromiumPath} (apt-get install chromium)` };
  }
  let browser: Browser | undefined;
  try {
    const script = await bundlePage();
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [...CHROMIUM_ARGS, ...extraArgs],
    });
    const page = await browser.newPage();
    await page.goto('about:blank');
    await page.addScriptTag({ content: script });
    const init = await page.evaluate(() =>
      (globalThis as { recurConformance?: ConformancePage }).recurConformance!.init(),
    );
    if (!init.ok) {
      await browser.close();
      return { unavailable: init.reason };
    }
    const open = browser;
    const version = open.version();
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
      close: () => open.close(),
    };
  } catch (error) {
    await browser?.close().catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    return { unavailable: `cannot start headless Chromium: ${message.split('\n')[0]}` };
  }
}
