/**
 * Against the simulator, which (like Kalshi) sends sid-scoped errors without a command id and answers
 * get_snapshot with snapshots only for the markets the sid holds: commands settle promptly with the
 * right outcome instead of timing out (#14 item 4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandRejectedError, createKalshiClient, createKalshiSigner } from 'kalshi-ws-pool';
import type { Client } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { Simulator } from 'kalshi-ws-pool/testing';

let sim: Simulator;
let client: Client;

beforeAll(async () => {
  sim = await startSimulator({ markets: 20, pingIntervalMs: 0, omitIdOnSidErrors: true, limits: { marketsPerSubscription: 3 } });
  const credentials = sim.credentials!;
  const signer = createKalshiSigner({ keyId: credentials.keyId, privateKey: credentials.privateKeyPem });
  client = createKalshiClient({ url: sim.url, signer, connectionId: 3, commandTimeoutMs: 10_000 });
  await client.connect();
});

afterAll(async () => {
  await client.close();
  await sim.close();
});

describe('sid-scoped replies settle the command they answer', () => {
  it('a second subscribe over the market limit rejects with error 26, not a timeout', async () => {
    const [a, b, c, d] = sim.markets;
    const sid = (await client.subscribe(['orderbook_delta'], [a!, b!]))[0]!.sid;
    const started = Date.now();
    const error = await client.subscribe(['orderbook_delta'], [c!, d!]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandRejectedError);
    expect(error).toMatchObject({ kalshiCode: 26, command: 'subscribe', sid });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a get_snapshot naming markets the sid does not hold settles promptly with the snapshots that came', async () => {
    const [a, , , , e, f] = sim.markets;
    const book = (await client.listSubscriptions()).find((s) => s.channel === 'orderbook_delta')!.sid;
    const started = Date.now();
    await expect(client.updateSubscription(book, 'get_snapshot', [e!, f!])).resolves.toMatchObject({ snapshots: 0 });
    await expect(client.updateSubscription(book, 'get_snapshot', [a!, e!])).resolves.toMatchObject({ snapshots: 1 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(client.stats().pendingCommands).toBe(0);
  });
});
