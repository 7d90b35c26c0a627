/**
 * Shared pieces of the native transport's integration tests (#13): a client that defaults to
 * `transport: 'native'`, and the hand-written upgrade server, both cleaned up after each test.
 */
import type { Client, ClientTransport, KalshiClientOptions } from 'kalshi-ws-pool';
import { createKalshiClient } from 'kalshi-ws-pool';
import { stubSigner } from '../../unit/client/mock-kalshi';
import type { TestCleanup } from './bare-server';
import { rawUpgradeServer } from './raw-upgrade-server';
import type { RawUpgradeOptions, RawUpgradeServer } from './raw-upgrade-server';

/** Both transports, `ws` first: parity tests run a case over each and compare. */
export const transports: readonly ClientTransport[] = ['ws', 'native'];

/** Client and server factories whose products are closed after each test. */
export interface NativeTestKit {
  /** A client (stub signer, `transport: 'native'` unless `options` say otherwise), terminated after the test. */
  client(url: string, options?: Partial<KalshiClientOptions>): Client;
  /** A {@link rawUpgradeServer}, closed after the test. */
  rawServer(options?: RawUpgradeOptions): Promise<RawUpgradeServer>;
}

export function nativeTestKit(cleanup: TestCleanup): NativeTestKit {
  return {
    client(url, options = {}) {
      const c = createKalshiClient({ url, signer: stubSigner(), transport: 'native', ...options });
      cleanup.onCleanup(() => c.terminate());
      return c;
    },
    async rawServer(options = {}) {
      const server = await rawUpgradeServer(options);
      cleanup.onCleanup(() => server.close());
      return server;
    },
  };
}
