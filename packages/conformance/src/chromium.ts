/**
 * A page in headless Chromium running a script bundled from TypeScript or JavaScript sources, for
 * whatever checks or measures Recur in a browser (`recur-conformance --backend webgl`, `pnpm bench
 * --backend webgl`). Chromium is driven by `playwright-core`, which never downloads a browser: it is
 * `$RECUR_CHROMIUM`, else Debian's `/usr/bin/chromium`, else a Chromium Playwright installed. The
 * script is bundled with esbuild when the command runs (from the sources in a clone of the
 * repository, from the installed packages elsewhere), so nothing is built ahead.
 *
 * `playwright-core` and `esbuild` are optional peer dependencies: without them (or without a
 * Chromium) `openScriptPage` says what to install instead of throwing.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';

/** The Chromium used: `$RECUR_CHROMIUM`, or Debian's (`apt-get install chromium`). */
export const chromiumPath: string = process.env.RECUR_CHROMIUM || '/usr/bin/chromium';

/**
 * WebGL 2 on SwiftShader where there is no GPU. Playwright adds `--no-sandbox` and
 * `--enable-unsafe-swiftshader`; `--use-gl=swiftshader` must NOT be passed: tfjs asks for a context
 * with `failIfMajorPerformanceCaveat`, would be refused, and would fall back to its cpu backend.
 */
const CHROMIUM_ARGS = ['--disable-quic'];

/**
 * In a clone of the repository (this file runs as TypeScript), `@recur/*` resolves to each
 * package's `src` through the root tsconfig, as the tests and tsx do; installed, through node_modules.
 */
function repositoryTsconfig(): string | undefined {
  if (!import.meta.url.endsWith('.ts')) return undefined;
  const path = fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));
  return existsSync(path) ? path : undefined;
}

/** Why an optional peer could not be imported: `install <name>` when it is missing. */
function missing(name: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /Cannot find (package|module)/.test(message)
    ? `install ${name} (an optional peer dependency of @recur/conformance)`
    : `cannot load ${name}: ${message.split('\n')[0]}`;
}

/** Bundles `entry` and everything it imports into one browser script. */
export async function bundleForPage(entry: string): Promise<string> {
  const { build } = await import('esbuild');
  const tsconfig = repositoryTsconfig();
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    ...(tsconfig === undefined ? {} : { tsconfig }),
  });
  return result.outputFiles[0]!.text;
}

/** A started page with the script loaded. */
export interface ScriptPage {
  /** The Playwright page, at `about:blank` with the bundled script added. */
  readonly page: Page;
  /** Chromium's version. */
  readonly version: string;
  /** Closes the browser (and so the page). */
  close(): Promise<void>;
}

/**
 * Starts headless Chromium with a blank page running the bundle of `entry`, or says why it cannot
 * (no playwright-core, esbuild or Chromium, a package the script imports is not installed, or the
 * browser did not start): the reason, never an exception.
 */
export async function openScriptPage(
  entry: string,
  extraArgs: readonly string[] = [],
): Promise<
  | ScriptPage
  | {
      /** Why no page could be opened, and what to install or set instead. */
      unavailable: string;
    }
> {
  let chromium: typeof import('playwright-core').chromium;
  try {
    chromium = (await import('playwright-core')).chromium;
  } catch (error) {
    return { unavailable: missing('playwright-core', error) };
  }
  try {
    await import('esbuild');
  } catch (error) {
    return { unavailable: missing('esbuild', error) };
  }
  const executablePath = existsSync(chromiumPath)
    ? chromiumPath
    : [chromium.executablePath()].find((p) => p !== '' && existsSync(p));
  if (executablePath === undefined) {
    return {
      unavailable: `no Chromium at ${chromiumPath} (apt-get install chromium, or npx playwright-core install chromium, or set RECUR_CHROMIUM to a Chromium)`,
    };
  }
  let script: string;
  try {
    script = await bundleForPage(entry);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // A package the page imports that is not installed (e.g. @recur/backend-webgl): say so.
    const unresolved = /Could not resolve "([^"./][^"]*)"/.exec(message);
    return {
      unavailable: unresolved
        ? `install ${unresolved[1]} (the browser page imports it)`
        : `cannot bundle the page: ${message.replace(/\s+/g, ' ').trim()}`,
    };
  }
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS, ...extraArgs],
    });
    const page = await browser.newPage();
    await page.goto('about:blank');
    await page.addScriptTag({ content: script });
    const open = browser;
    return { page, version: open.version(), close: () => open.close() };
  } catch (error) {
    await browser?.close().catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    return { unavailable: `cannot start headless Chromium: ${message.split('\n')[0]}` };
  }
}
