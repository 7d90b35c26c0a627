/**
 * Opens the raw `ws` connections of the baseline variants: plain connections to the bench firehose,
 * or signed, subscribed connections to the simulator (one orderbook_delta subscription each).
 */
import WebSocket from 'ws';
import { createKalshiSigner, WS_SIGN_PATH } from 'kalshi-ws-pool';

/** Credentials for the simulator (a throwaway key pair made by the orchestrator). */
export interface BenchAuth {
  readonly keyId: string;
  readonly privateKeyPem: string;
}

/** Where and how the raw variants connect. */
export interface SocketPlan {
  readonly url: string;
  readonly connections: number;
  /** Present for the simulator: sign the handshake. */
  readonly auth?: BenchAuth | undefined;
  /** Present for the simulator: markets of each connection's subscription (one list per connection). */
  readonly markets?: readonly (readonly string[])[] | undefined;
}

function open(url: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    const onError = (error: Error): void => {
      ws.off('open', onOpen);
      reject(error);
    };
    const onOpen = (): void => {
      ws.off('error', onError);
      ws.on('error', () => undefined);
      resolve(ws);
    };
    ws.once('open', onOpen);
    ws.once('error', onError);
  });
}

/** Subscribes `markets` and resolves after the `subscribed` reply and one snapshot per market. */
function subscribe(ws: WebSocket, markets: readonly string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let expected = markets.length + 1;
    const timer = setTimeout(() => {
      ws.off('message', onMessage);
      reject(new Error(`subscribe: ${expected} replies/snapshots missing after ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (): void => {
      if (--expected > 0) return;
      clearTimeout(timer);
      ws.off('message', onMessage);
      resolve();
    };
    ws.on('message', onMessage);
    ws.send(
      JSON.stringify({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: markets } }),
    );
  });
}

/** Opens (and, for the simulator, subscribes) every connection of the plan. */
export async function openSockets(plan: SocketPlan, timeoutMs: number): Promise<WebSocket[]> {
  const signer = plan.auth === undefined ? undefined : createKalshiSigner({ keyId: plan.auth.keyId, privateKey: plan.auth.privateKeyPem });
  const sockets: WebSocket[] = [];
  try {
    for (let i = 0; i < plan.connections; i++) {
      const headers = signer === undefined ? {} : { ...(await signer.headers('GET', WS_SIGN_PATH)) };
      sockets.push(await open(plan.url, headers));
    }
    if (plan.markets !== undefined) {
      const markets = plan.markets;
      await Promise.all(sockets.map((ws, i) => subscribe(ws, markets[i] ?? [], timeoutMs)));
    }
    return sockets;
  } catch (error) {
    for (const ws of sockets) ws.terminate();
    throw error;
  }
}
