import { Server, WebSocket as MockWebSocket } from 'mock-socket';
import type { Client as MockSocket } from 'mock-socket';
import { vi } from 'vitest';
import { closeAfterTest } from '../../helpers/teardown';
import { createKalshiClient } from 'kalshi-ws-pool';
import type { Client, KalshiClientOptions, KalshiSigner, WebSocketConstructor } from 'kalshi-ws-pool';

/** A command as the mock server received it. */
export interface ReceivedCommand {
  readonly id: number;
  readonly cmd: string;
  readonly params: Record<string, unknown>;
}

let port = 40_000;

/** A signer that counts calls and never touches a key. */
export function stubSigner(): KalshiSigner & { calls: number } {
  const signer = {
    calls: 0,
    headers(): Promise<{ 'KALSHI-ACCESS-KEY': string; 'KALSHI-ACCESS-TIMESTAMP': string; 'KALSHI-ACCESS-SIGNATURE': string }> {
      signer.calls += 1;
      return Promise.resolve({
        'KALSHI-ACCESS-KEY': 'key',
        'KALSHI-ACCESS-TIMESTAMP': '1',
        'KALSHI-ACCESS-SIGNATURE': 'sig',
      });
    },
  };
  return signer;
}

/** The client's test hook (not part of the public port). */
export function resources(client: Client): { timers: number; socketListeners: number } {
  return (client as unknown as { resources(): { timers: number; socketListeners: number } }).resources();
}

/** A mock-socket Kalshi endpoint plus a client wired to it. */
export interface MockKalshi {
  readonly url: string;
  readonly server: Server;
  readonly client: Client;
  readonly commands: ReceivedCommand[];
  /** The server side of the (single) connection, once connected. */
  socket(): MockSocket;
  /** Send a frame (object -> JSON, string/ArrayBuffer as is) to the client. */
  send(frame: object | string | ArrayBuffer): void;
  /** Wait until the server received `count` commands. */
  waitForCommands(count: number): Promise<void>;
  stop(): void;
}

/** Starts a mock server and a connected-ready (not yet connected) client. */
export function mockKalshi(options: Partial<KalshiClientOptions> = {}): MockKalshi {
  port += 1;
  const url = `ws://localhost:${port}/trade-api/ws/v2`;
  const server = new Server(url);
  const commands: ReceivedCommand[] = [];
  let serverSocket: MockSocket | undefined;
  server.on('connection', (socket) => {
    serverSocket = socket;
    socket.on('message', (data) => {
      commands.push(JSON.parse(String(data)) as ReceivedCommand);
    });
  });
  const client = createKalshiClient({
    url,
    signer: stubSigner(),
    WebSocket: MockWebSocket as unknown as WebSocketConstructor,
    ...options,
  });
  const socket = (): MockSocket => {
    if (serverSocket === undefined) throw new Error('not connected');
    return serverSocket;
  };
  return {
    url,
    server,
    client,
    commands,
    socket,
    send(frame) {
      socket().send(typeof frame === 'string' || frame instanceof ArrayBuffer ? frame : JSON.stringify(frame));
    },
    async waitForCommands(count) {
      await vi.waitFor(() => {
        if (commands.length < count) throw new Error(`${commands.length}/${count} commands`);
      });
    },
    stop() {
      client.terminate();
      server.stop();
    },
  };
}

/** {@link mockKalshi}, stopped after the test (the file calls `closeAfterEach()`). */
export function stoppedAfterTest(options: Partial<KalshiClientOptions> = {}): MockKalshi {
  const mock = mockKalshi(options);
  closeAfterTest({ close: () => mock.stop() });
  return mock;
}

/** {@link stoppedAfterTest} with its client connected. */
export async function connectedMock(options: Partial<KalshiClientOptions> = {}): Promise<MockKalshi> {
  const mock = stoppedAfterTest(options);
  await mock.client.connect();
  return mock;
}
