/**
 * Per-account private streams against the simulator: two accounts, fills flowing, one connection
 * dropped (the missed fills come back from the REST backfill, marked `backfilled`), one key revoked
 * (the account is deactivated), then re-keyed (reactivated). Bounded: ends after a few seconds.
 *
 *   npx tsx examples/user-data.ts
 */
import { createKalshiSigner, createMemoryAccountSource, createUserDataManager } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';

const sim = await startSimulator({ markets: 20 });
const alice = await sim.accounts.create();
const bob = await sim.accounts.create();
const signerOf = (c: { keyId: string; privateKeyPem: string }) => createKalshiSigner({ keyId: c.keyId, privateKey: c.privateKeyPem });

const accounts = createMemoryAccountSource([
  { id: 'alice', signer: signerOf(alice) },
  { id: 'bob', signer: signerOf(bob) },
]);
const users = createUserDataManager({
  url: sim.url, // restUrl defaults to the same host's /trade-api/v2
  accounts,
  admission: { dialsPerSecond: 50, burst: 5, jitterMs: 0 },
  reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
});
users.on('deactivated', ({ accountId, reason }) => console.log(`deactivated ${accountId}: ${reason}`));
users.on('reactivated', ({ accountId }) => console.log(`reactivated ${accountId}`));
users.on('backfill', ({ accountId, fills }) => fills > 0 && console.log(`backfilled ${fills} fill(s) for ${accountId}`));
await users.start();

const delivered = new Map<string, number>();
const reading = (async () => {
  for await (const m of users) {
    if (m.type === 'fill') delivered.set(m.accountId, (delivered.get(m.accountId) ?? 0) + 1);
  }
})();

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
};
await until(() => users.health().connected === 2);

for (let i = 0; i < 3; i++) sim.accounts.fill(alice.userId);
sim.accounts.drop(alice.userId); // fills below happen while alice is down
for (let i = 0; i < 2; i++) sim.accounts.fill(alice.userId);

sim.accounts.revoke(bob.keyId);
sim.accounts.drop(bob.userId); // the redial gets 401: bob is deactivated
await until(() => users.health().deactivated === 1);

const bobAgain = await sim.accounts.addKey(bob.userId);
accounts.set({ id: 'bob', signer: signerOf(bobAgain) }); // re-key: bob dials again
await until(() => users.health().connected === 2 && (delivered.get('alice') ?? 0) === 5);
sim.accounts.fill(bob.userId);
await until(() => (delivered.get('bob') ?? 0) === 1);

console.log('fills delivered', Object.fromEntries(delivered), 'backfilled', users.stats().fillsBackfilled);
await users.stop();
await reading;
await sim.close();
