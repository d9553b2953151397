import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fails the run when any test leaves a {test-…} key behind.
    globalSetup: ['test/support/leftover-keys.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
