// @ts-check
import base from './stryker.config.mjs';

/**
 * Mutation testing of the wire code alone, against its own tests (see vitest.stryker.protocol.config.ts
 * for why): `node scripts/mutation.mjs stryker.protocol.config.mjs --mutate src/protocol/kalshi/<file>.ts`.
 * docs/testing.md ("Mutation testing") has the scores.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  ...base,
  vitest: { configFile: 'vitest.stryker.protocol.config.ts', related: false },
  mutate: ['src/protocol/kalshi/**/*.ts'],
  incrementalFile: 'reports/stryker-incremental-protocol.json',
};
