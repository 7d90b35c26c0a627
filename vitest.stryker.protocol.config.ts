import { defineConfig } from 'vitest/config';
import stryker from './vitest.stryker.config';

/**
 * Vitest settings for mutation runs of `src/protocol/kalshi/` (`stryker.protocol.config.mjs`): the protocol
 * and fuzz unit tests only. Almost every manager test reaches the envelope scanner too, so with the general
 * config each scanner mutant re-ran hundreds of manager tests (a measured estimate of 2.5 hours for the
 * scanner alone on 2 cores); the tests written for the wire code are the ones meant to kill its mutants.
 */
export default defineConfig({
  ...stryker,
  test: {
    ...stryker.test,
    include: ['test/unit/protocol/**/*.test.ts', 'test/unit/fuzz/**/*.test.ts'],
  },
});
