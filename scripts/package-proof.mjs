// Installs the packed tarball into a fresh project outside the repo (no workspace links) and proves it
// there: ESM import, CJS require, typecheck of the quick start under node16 and bundler resolution, types
// of every subpath under the legacy `moduleResolution: "node"` (node10, through `typesVersions`), and
// a run of the quick start against the bundled simulator.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'kwp-proof-'));
const sh = (cmd, args, cwd = dir) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], timeout: 180_000 });
const write = (file, text) => writeFileSync(join(dir, file), text);

/** One named export per entry point; each must be typed (not `any`) when resolved without `exports`. */
const nodeTenConsumer = `import { createConnectionManager } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';
import { registerPrometheusMetrics } from 'kalshi-ws-pool/prometheus';
import { scanEnvelope } from 'kalshi-ws-pool/protocol';
import { createBookStore } from 'kalshi-ws-pool/books';
import { createJetStreamRouter } from 'kalshi-ws-pool/nats';
import type { SimulatorOptions } from 'kalshi-ws-pool/testing';
type IsAny<T> = 0 extends 1 & T ? true : false;
const typed: false[] = [
  false as IsAny<typeof createConnectionManager>,
  false as IsAny<typeof startSimulator>,
  false as IsAny<typeof registerPrometheusMetrics>,
  false as IsAny<typeof scanEnvelope>,
  false as IsAny<typeof createBookStore>,
  false as IsAny<typeof createJetStreamRouter>,
  false as IsAny<SimulatorOptions>,
];
export const options: SimulatorOptions = { markets: 10 };
export default typed;
`;

try {
  execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  console.log(`tarball ${tarball}: ${(statSync(join(dir, tarball)).size / 1024).toFixed(1)} KiB`);
  write('package.json', JSON.stringify({ name: 'proof', private: true, type: 'module' }));
  sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `./${tarball}`, 'typescript@~5.9.3', '@types/node@20']);

  write('esm.mjs', "import { createConnectionManager } from 'kalshi-ws-pool';\nimport { startSimulator } from 'kalshi-ws-pool/testing';\nif (typeof createConnectionManager !== 'function' || typeof startSimulator !== 'function') process.exit(1);\nconsole.log('esm import ok');\n");
  write('cjs.cjs', "const { createConnectionManager } = require('kalshi-ws-pool');\nconst { startSimulator } = require('kalshi-ws-pool/testing');\nif (typeof createConnectionManager !== 'function' || typeof startSimulator !== 'function') process.exit(1);\nconsole.log('cjs require ok');\n");
  sh('node', ['esm.mjs']);
  sh('node', ['cjs.cjs']);

  copyFileSync(join(repo, 'examples/quick-start.ts'), join(dir, 'quick-start.ts'));
  const base = { target: 'ES2022', strict: true, skipLibCheck: false, types: ['node'], outDir: 'out' };
  for (const [name, extra] of [
    ['node16', { module: 'node16', moduleResolution: 'node16' }],
    ['bundler', { module: 'esnext', moduleResolution: 'bundler', noEmit: true }],
  ]) {
    write(`tsconfig.${name}.json`, JSON.stringify({ compilerOptions: { ...base, ...extra }, files: ['quick-start.ts'] }));
    sh(join(dir, 'node_modules/.bin/tsc'), ['-p', `tsconfig.${name}.json`]);
    console.log(`typecheck (${name}) ok`);
  }

  // node10 ignores `exports`; without `typesVersions` every subpath import is TS7016 (no declaration file).
  // skipLibCheck: the optional peers (prom-client, @nats-io/*) are not installed here.
  write('subpaths.ts', nodeTenConsumer);
  write('tsconfig.node10.json', JSON.stringify({ compilerOptions: { ...base, module: 'commonjs', moduleResolution: 'node10', skipLibCheck: true, noEmit: true }, files: ['subpaths.ts'] }));
  sh(join(dir, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.node10.json']);
  console.log('typecheck (node10, every subpath) ok');

  sh('node', ['out/quick-start.js']);
  console.log('package proof: ok');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
