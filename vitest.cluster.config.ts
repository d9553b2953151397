import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The same tests on the local Redis Cluster (`scripts/redis-cluster.sh start`): the suites
 * whose code talks to Redis through ftops' own keys, scripts and BullMQ queues. `npm run
 * test:cluster`; `.ci/run` runs it after `npm test`. (Not `mergeConfig`: it would append
 * these globs to the base's `test/**`.)
 */
export default defineConfig({
  test: {
    ...base.test,
    include: [
      'test/store/**/*.test.ts',
      'test/poller/**/*.test.ts',
      'test/handlers/approval/**/*.test.ts',
      'test/e2e/**/*.test.ts',
    ],
    // The Entra ID test rotates an ACL user's password on the single server it sets up;
    // on the cluster it would need that user on every node, so it runs in `npm test` only.
    exclude: ['test/store/redis-entra.test.ts'],
    env: { FT_TEST_REDIS: 'cluster' },
  },
});
