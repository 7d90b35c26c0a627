import { createConnectionManager, createKalshiSigner, createMemoryRegistry } from 'kalshi-ws-pool';
import type { ConnectionManager, Registry } from 'kalshi-ws-pool';
import { createJetStreamRouter } from 'kalshi-ws-pool/nats';
import type { JetStreamRouter, JetStreamRouterOptions } from 'kalshi-ws-pool/nats';
import type { Simulator } from 'kalshi-ws-pool/testing';

/** One gatherer process, in-process: a small pool whose router publishes to JetStream. */
export interface Gatherer {
  readonly manager: ConnectionManager;
  readonly router: JetStreamRouter;
  stop(): Promise<void>;
}

export async function startGatherer(
  sim: Simulator,
  servers: string,
  gathererId: string,
  registry: Registry = createMemoryRegistry(sim.markets),
  extra: Partial<JetStreamRouterOptions> = {},
): Promise<Gatherer> {
  const router = createJetStreamRouter({ servers, gathererId, provision: { storage: 'memory' }, ackTimeoutMs: 1_000, retryDelayMs: 50, maxRetryDelayMs: 250, drainTimeoutMs: 5_000, ...extra });
  await router.start();
  const credentials = sim.credentials!;
  const manager = createConnectionManager({
    url: sim.url,
    signer: createKalshiSigner({ keyId: credentials.keyId, privateKey: credentials.privateKeyPem }),
    registry,
    router,
    layout: { ticker: 1, trade: 1, lifecycle: 1, orderbook: 1 },
    admission: { dialsPerSecond: 1_000, burst: 10, jitterMs: 0 },
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    closeTimeoutMs: 1_000,
  });
  await manager.start();
  return {
    manager,
    router,
    stop: async () => {
      await manager.stop();
      await router.stop();
    },
  };
}
