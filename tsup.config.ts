import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', testing: 'src/testing/index.ts', prometheus: 'src/metrics/index.ts', protocol: 'src/protocol/index.ts', books: 'src/books/index.ts', nats: 'src/nats/index.ts' },
    // Optional peers: never bundled, only the nats entry imports them.
    external: [/^@nats-io\//, 'prom-client'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: true,
    treeshake: true,
  },
  {
    entry: { 'cli/simulator': 'src/cli/simulator.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
