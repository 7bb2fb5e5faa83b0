/**
 * A page in headless Chromium running a script bundled from this repository's TypeScript sources,
 * for the tools that measure or check Recur in a browser (`pnpm bench --backend webgl`, `pnpm
 * conformance --backend webgl`). Chromium is Debian's (`apt-get install chromium`), driven by
 * Playwright, which never downloads a browser here. The script is bundled with esbuild when the
 * command runs, so a fresh clone needs no build step.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright';

/** Debian's Chromium. */
export const chromiumPath = '/usr/bin/chromium';

/**
 * WebGL 2 on SwiftShader where there is no GPU. Playwright adds `--no-sandbox` and
 * `--enable-unsafe-swiftshader`; `--use-gl=swiftshader` must NOT be passed: tfjs asks for a context
 * with `failIfMajorPerformanceCaveat`, would be refused, and would fall back to its cpu backend.
 */
const CHROMIUM_ARGS = ['--disable-quic'];

const root = fileURLToPath(new URL('../../../..', import.meta.url));

/** Bundles `entry` (and everything it imports, `@recur/*` from each package's src) into one script. */
export async function bundleForPage(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
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

/** A started page with the script loaded. */
export interface ScriptPage {
  readonly page: Page;
  /** Chromium's version. */
  readonly version: string;
  close(): Promise<void>;
}

/**
 * Starts headless Chromium with a blank page running the bundle of `entry`, or says why it cannot
 * (no Chromium, or it did not start): the reason, never an exception.
 */
export async function openScriptPage(
  entry: string,
  extraArgs: readonly string[] = [],
): Promise<ScriptPage | { unavailable: string }> {
  if (!existsSync(chromiumPath)) {
    return { unavailable: `no Chromium at ${chromiumPath} (apt-get install chromium)` };
  }
  let browser: Browser | undefined;
  try {
    const script = await bundleForPage(entry);
    browser = await chromium.launch({
      executablePath: chromiumPath,
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
