// Proves the built dist loads in plain Node both as ESM (import) and CJS (require), with the same exports.
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
for (const entry of ['kalshi-ws-pool', 'kalshi-ws-pool/testing', 'kalshi-ws-pool/prometheus', 'kalshi-ws-pool/protocol', 'kalshi-ws-pool/books', 'kalshi-ws-pool/nats']) {
  let esm;
  try {
    esm = await import(entry);
  } catch (error) {
    // kalshi-ws-pool/nats needs the optional peers @nats-io/transport-node and @nats-io/jetstream.
    if (entry === 'kalshi-ws-pool/nats' && error?.code === 'ERR_MODULE_NOT_FOUND' && /@nats-io\//.test(String(error.message))) {
      console.log(`${entry}: skipped (optional peers @nats-io/* not installed)`);
      continue;
    }
    throw error;
  }
  const cjs = require(entry);
  const esmKeys = Object.keys(esm).filter((k) => k !== 'default' && k !== 'module.exports').sort();
  const cjsKeys = Object.keys(cjs).sort();
  assert.deepEqual(cjsKeys, esmKeys, `${entry}: ESM and CJS export different names`);
  console.log(`${entry}: ${esmKeys.length} exports load via import and require`);
}
const { isKalshiWsPoolError, ConfigError } = await import('kalshi-ws-pool');
assert.ok(isKalshiWsPoolError(new (require('kalshi-ws-pool').ConfigError)('x', 'y')), 'CJS error recognised by ESM guard');
assert.ok(new ConfigError('a', 'b') instanceof Error);
console.log('smoke: ok');
