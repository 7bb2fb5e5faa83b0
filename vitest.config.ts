/// <reference types="@vitest/browser/providers/playwright" />
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

// Tests run against each package's `src`, so `pnpm test` needs no build step. Because every
// `@recur/*` import resolves here, a test-only import of another package (core's tests use
// backend-js) is not declared as a devDependency: that would make the build graph cyclic.
const packagesDir = fileURLToPath(new URL('./packages', import.meta.url));
const alias = readdirSync(packagesDir).flatMap((dir) => [
  { find: new RegExp(`^@recur/${dir}$`), replacement: `${packagesDir}/${dir}/src/index.ts` },
  { find: new RegExp(`^@recur/${dir}/(.+)$`), replacement: `${packagesDir}/${dir}/src/$1.ts` },
]);

/** Debian's Chromium (`apt-get install chromium`): Playwright drives it and never downloads its own. */
const chromiumPath = '/usr/bin/chromium';

export default defineConfig({
  resolve: { alias },
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: [
            'packages/*/src/**/*.test.ts',
            'tools/*/src/**/*.test.ts',
            'examples/**/*.test.ts',
            'apps/demo/src/**/*.test.ts',
            // The demo's end-to-end test builds the site and drives Debian's Chromium through Playwright.
            'apps/demo/test/**/*.test.ts',
          ],
          exclude: [...configDefaults.exclude, '**/*.browser.test.ts'],
          pool: 'threads',
        },
      },
      {
        extends: true,
        // Browser tests run in headless Chromium with WebGL 2 on SwiftShader (software, true float32).
        // No `--use-gl=swiftshader`: tfjs would be refused its context and fall back to cpu silently.
        // Pre-bundle every dependency the browser tests reach before they start: one discovered
        // mid-run makes Vite re-optimize and reload, failing the tests importing the old bundle.
        optimizeDeps: { entries: ['packages/*/src/**/*.browser.test.ts'] },
        test: {
          name: 'browser',
          include: ['packages/*/src/**/*.browser.test.ts'],
          browser: {
            enabled: true,
            provider: 'playwright',
            headless: true,
            screenshotFailures: false,
            instances: [
              {
                browser: 'chromium',
                launch: { executablePath: chromiumPath, args: ['--disable-quic'] },
              },
            ],
          },
        },
      },
    ],
  },
});
