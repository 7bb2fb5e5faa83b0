import { defineConfig } from 'vitest/config';

// The demo's own test config (`npx vitest run --root apps/demo`): the e2e test builds the site,
// serves it and drives headless Chromium, so it needs minutes rather than vitest's default seconds.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
