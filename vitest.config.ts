import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string): string => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^kalshi-ws-pool\/testing$/, replacement: src('testing/index.ts') },
      { find: /^kalshi-ws-pool\/prometheus$/, replacement: src('metrics/index.ts') },
      { find: /^kalshi-ws-pool\/protocol$/, replacement: src('protocol/index.ts') },
      { find: /^kalshi-ws-pool\/books$/, replacement: src('books/index.ts') },
      { find: /^kalshi-ws-pool\/nats$/, replacement: src('nats/index.ts') },
      { find: /^kalshi-ws-pool$/, replacement: src('index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // CI also writes JSON results, which .ci/run turns into a plain 'N passed, N failed' line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.tmp/vitest-results.json' },
  },
});
