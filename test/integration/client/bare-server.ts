/**
 * A plain `ws` server on 127.0.0.1 for client tests that play the server side by hand: the test gets
 * the URL and the first accepted socket, and `close` terminates every socket and the server.
 */
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
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

/** Cleanups of one test file, run after each test: servers it started and whatever else it registered. */
export interface TestCleanup {
  /** Starts a {@link BareServer} that is closed after the test. */
  startServer(): Promise<BareServer>;
  /** Runs `close` after the test. */
  onCleanup(close: () => unknown): void;
}

/** Registers an `afterEach` that runs every cleanup of the finished test; call once per file. */
export function cleanupAfterEach(): TestCleanup {
  let closers: (() => unknown)[] = [];
  afterEach(async () => {
    const now = closers;
    closers = [];
    await Promise.all(now.map((close) => close()));
  });
  return {
    async startServer() {
      const started = await bareServer();
      closers.push(started.close);
      return started;
    },
    onCleanup: (close) => void closers.push(close),
  };
}
