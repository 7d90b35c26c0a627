import { defineConfig } from 'vitest/config';
import base from './vitest.config';

/**
 * Vitest settings for mutation runs (`stryker.config.mjs`): the unit tests only. Integration tests need
 * sockets and real time, so a mutant there mostly times out rather than fails, and they are far too slow to
 * repeat per mutant. (Not `mergeConfig`: it would append to `include` instead of replacing it.)
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/unit/**/*.test.ts'],
    reporters: ['default'],
    // Lets timing-ratio tests step aside (see test/unit/fuzz/scan-envelope.fuzz.test.ts).
    env: { ...base.test?.env, KWP_MUTATION_RUN: '1' },
  },
});
