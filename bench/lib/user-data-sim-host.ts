/**
 * Child process of the user-data scale benchmark: runs the simulator (so its memory is not counted
 * in the manager's process) and creates N accounts sharing one key pair under distinct key ids.
 * Protocol (IPC): parent sends `{ accounts }`, child answers `{ url, keyIds, privateKeyPem }`, then
 * `{ stats }` on `'stats'` and exits on `'close'`.
 */
import { generateKeyPairSync } from 'node:crypto';
import { startSimulator } from '../../src/testing/index';

process.once('message', (message: { accounts: number }) => {
  void (async () => {
    const sim = await startSimulator({
      markets: 50,
      pingIntervalMs: 10_000,
      traffic: { orderbookDeltasPerSecond: 0, tradesPerSecond: 0, tickersPerSecond: 0 },
    });
    const privateKeyPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const keyIds: string[] = [];
    for (let i = 0; i < message.accounts; i++) keyIds.push((await sim.accounts.create({ keyPair: { privateKeyPem } })).keyId);
    process.send?.({ url: sim.url, keyIds, privateKeyPem });
    process.on('message', (m: unknown) => {
      if (m === 'stats') process.send?.({ stats: sim.stats(), open: sim.connections().filter((c) => c.open).length });
      if (m === 'close') void sim.close().then(() => process.exit(0));
    });
  })();
});
