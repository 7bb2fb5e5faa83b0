import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { recurDatasets } from './build/datasets-plugin.js';

// The demo runs Recur from each package's `src` (as the tests do), so `pnpm demo` needs no build of
// the packages first; these are still their public entry points, only in source form.
const packagesDir = fileURLToPath(new URL('../../packages', import.meta.url));
const alias = readdirSync(packagesDir).flatMap((dir) => [
  { find: new RegExp(`^@recur/${dir}$`), replacement: `${packagesDir}/${dir}/src/index.ts` },
  { find: new RegExp(`^@recur/${dir}/(.+)$`), replacement: `${packagesDir}/${dir}/src/$1.ts` },
]);

export default defineConfig({
  // Relative asset paths: `dist` works from any static server, at any path, offline.
  base: './',
  plugins: [recurDatasets()],
  // One tfjs-core for the Recur tfjs backends and tfjs-layers, so they share one engine per worker.
  resolve: { alias, dedupe: ['@tensorflow/tfjs-core'] },
  // Workers are bundled separately: they need the dataset plugin too (the data is read in workers).
  worker: { format: 'es', plugins: () => [recurDatasets()] },
  // No gzip-size report: it only slows the build of a page this size (the e2e test builds it each run).
  build: { target: 'es2022', chunkSizeWarningLimit: 4096, reportCompressedSize: false },
  server: { host: '127.0.0.1' },
});
