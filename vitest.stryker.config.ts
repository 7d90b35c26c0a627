import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config';

/**
 * Vitest settings for mutation runs (`stryker.config.mjs`): unit tests only. Integration tests need sockets
 * and real time, which makes mutants time out rather than fail, and they are too slow to repeat per mutant.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      include: ['test/unit/**/*.test.ts'],
      reporters: ['default'],
    },
  }),
);
