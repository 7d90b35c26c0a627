/**
 * A plain `ws` server on 127.0.0.1 for client tests that play the server side by hand: the test gets
 * the URL and the first accepted socket, and `close` terminates every socket and the server.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { WebSocket as ServerSocket } from 'ws';

/** A listening server and its first connection. */
export interface BareServer {
  /** `ws://127.0.0.1:<port>/trade-api/ws/v2`. */
  readonly url: string;
  /** The first socket the server accepts. */
  readonly socket: Promise<ServerSocket>;
  /** Terminates every socket and closes the server. */
  close(): Promise<void>;
}

/** Starts a {@link BareServer} on a free loopback port. */
export async function bareServer(): Promise<BareServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const socket = new Promise<ServerSocket>((resolve) => wss.once('connection', resolve));
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/trade-api/ws/v2`,
    socket,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of wss.clients) s.terminate();
        wss.close(() => resolve());
      }),
  };
}
