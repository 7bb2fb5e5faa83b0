import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests run against each package's `src`, so `pnpm test` needs no build step.
const packagesDir = fileURLToPath(new URL('./packages', import.meta.url));
const alias = readdirSync(packagesDir).flatMap((dir) => [
  { find: new RegExp(`^@recur/${dir}$`), replacement: `${packagesDir}/${dir}/src/index.ts` },
  { find: new RegExp(`^@recur/${dir}/(.+)$`), replacement: `${packagesDir}/${dir}/src/$1.ts` },
]);

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'tools/*/src/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'threads',
  },
});
