import type { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import NodeWebSocket from 'ws';
import type { Clock } from '../ports/clock';
import type { KalshiAuthHeaders } from '../protocol/kalshi/auth-headers';
import type { ClientTransport, WebSocketConstructor } from './kalshi-client-options';
import { NativeSocket } from './native/native-socket';

/** Socket events, as the client wants them. Bound once per connection. */
export interface SocketSink {
  open(): void;
  /** `data` is the frame's bytes as received (a Buffer under `ws`), never copied. */
  message(data: Uint8Array, isBinary: boolean): void;
  ping(): void;
  pong(): void;
  /** A non-101 answer to the handshake (`ws` and the native transport). */
  unexpectedResponse(status: number, retryAfter: string | readonly string[] | undefined): void;
  error(error: Error): void;
  close(code: number, reason: string): void;
}

/** The few socket operations the client uses, over `ws`, the native transport or a browser-style WebSocket. */
export interface SocketAdapter {
  /** Whether handshake headers were sent (false for browser-style sockets). */
  readonly signed: boolean;
  /** True once the socket reported `close`. */
  readonly closed: boolean;
  /** Send a text frame; resolves when it was handed to the OS (`ws` send callback). */
  send(text: string): Promise<void>;
  /** Send a ping; false when not supported or not open. */
  ping(): boolean;
  close(code: number, reason: string): void;
  terminate(): void;
  pause(): void;
  resume(): void;
  /** Listeners this adapter still holds on the socket (0 after the socket closed). */
  listenerCount(): number;
}

/** What a dial needs. */
export interface DialOptions {
  readonly url: string;
  readonly headers: KalshiAuthHeaders | undefined;
  readonly maxPayload: number;
  readonly perMessageDeflate: boolean;
  readonly skipUTF8Validation: boolean;
  /** `native`: the SDK's own transport ({@link NativeSocket}); `ws`: the `ws` package or `WebSocket`. */
  readonly transport: ClientTransport;
  /** How long the native transport lets a socket linger after the close handshake before destroying it. */
  readonly closeTimeoutMs: number;
  readonly clock: Clock;
}

/** A Node EventEmitter listener. */
type NodeListener = Parameters<EventEmitter['on']>[1];

const wsEvents = ['open', 'message', 'ping', 'pong', 'unexpected-response', 'error', 'close'] as const;

/** Adapter over the `ws` package (EventEmitter API, headers, pings, pause/resume). */
class NodeSocket implements SocketAdapter {
  readonly signed = true;
  closed = false;
  // True private fields (#): the `ws` instance holds the signed handshake request until the dial ends,
  // and nothing reachable from a public object (util.inspect, even with showHidden) may lead to it.
  readonly #socket: NodeWebSocket;
  readonly #handlers: Record<(typeof wsEvents)[number], NodeListener>;

  constructor(Ctor: typeof NodeWebSocket, options: DialOptions, sink: SocketSink) {
    const headers: Record<string, string> = options.headers === undefined ? {} : { ...options.headers };
    // TLS verification stays on: no rejectUnauthorized override is ever passed.
    this.#socket = new Ctor(options.url, {
      headers,
      maxPayload: options.maxPayload,
      perMessageDeflate: options.perMessageDeflate,
      skipUTF8Validation: options.skipUTF8Validation,
      followRedirects: false,
    });
    this.#handlers = {
      open: () => sink.open(),
      message: (data: Uint8Array, isBinary: boolean) => sink.message(data, isBinary),
      ping: () => sink.ping(),
      pong: () => sink.pong(),
      'unexpected-response': (_req: unknown, res: IncomingMessage) => {
        res.resume(); // drain the body so the socket can be released
        sink.unexpectedResponse(res.statusCode ?? 0, res.headers['retry-after']);
      },
      error: (error: Error) => sink.error(error),
      close: (code: number, reason: Buffer) => {
        this.closed = true;
        this.#detach();
        sink.close(code, reason.toString());
      },
    };
    for (const event of wsEvents) this.#emitter.on(event, this.#handlers[event]);
  }

  send(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#socket.send(text, (error) => (error ? reject(error) : resolve()));
    });
  }

  ping(): boolean {
    if (this.#socket.readyState !== NodeWebSocket.OPEN) return false;
    this.#socket.ping();
    return true;
  }

  close(code: number, reason: string): void {
    this.#socket.close(code, reason);
  }

  terminate(): void {
    this.#socket.terminate();
  }

  pause(): void {
    if (typeof this.#socket.pause === 'function') this.#socket.pause();
  }

  resume(): void {
    if (typeof this.#socket.resume === 'function') this.#socket.resume();
  }

  listenerCount(): number {
    let count = 0;
    for (const event of wsEvents) count += this.#socket.listenerCount(event);
    return count;
  }

  /** The socket as a plain EventEmitter (ws's typed overloads do not take a union of event names). */
  get #emitter(): EventEmitter {
    return this.#socket as unknown as EventEmitter;
  }

  #detach(): void {
    for (const event of wsEvents) this.#emitter.off(event, this.#handlers[event]);
  }
}

/** The browser WebSocket surface used by {@link DomSocket} (mock-socket, `globalThis.WebSocket`). */
interface DomWebSocket {
  binaryType: string;
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (event: never) => void): void;
  removeEventListener(type: string, listener: (event: never) => void): void;
}

const domEvents = ['open', 'message', 'error', 'close'] as const;
const encoder = new TextEncoder();

/**
 * Adapter over a browser-style WebSocket. It cannot send headers, pings, or pause; text frames arrive
 * as strings and are encoded to bytes (this path is for tests and unsigned use, not the hot path).
 */
class DomSocket implements SocketAdapter {
  readonly signed = false;
  closed = false;
  readonly #socket: DomWebSocket;
  readonly #handlers: Record<(typeof domEvents)[number], (event: never) => void>;
  #attached = true;

  constructor(Ctor: WebSocketConstructor, options: DialOptions, sink: SocketSink) {
    this.#socket = new (Ctor as unknown as new (url: string) => DomWebSocket)(options.url);
    this.#socket.binaryType = 'arraybuffer';
    this.#handlers = {
      open: () => sink.open(),
      message: (event: { readonly data: unknown }) => {
        const data = event.data;
        if (typeof data === 'string') sink.message(encoder.encode(data), false);
        else if (data instanceof ArrayBuffer) sink.message(new Uint8Array(data), true);
        else if (ArrayBuffer.isView(data)) sink.message(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), true);
        else sink.message(new Uint8Array(0), true);
      },
      error: () => sink.error(new Error('WebSocket error')),
      close: (event: { readonly code: number; readonly reason: string }) => {
        this.closed = true;
        this.#detach();
        sink.close(event.code, event.reason);
      },
    };
    for (const event of domEvents) this.#socket.addEventListener(event, this.#handlers[event]);
  }

  send(text: string): Promise<void> {
    try {
      this.#socket.send(text);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  ping(): boolean {
    return false;
  }

  close(code: number, reason: string): void {
    this.#socket.close(code, reason);
  }

  terminate(): void {
    // No terminate in the browser API: a close frame is the fastest way out.
    this.#socket.close(1000, 'terminated');
  }

  pause(): void {}

  resume(): void {}

  listenerCount(): number {
    return this.#attached ? domEvents.length : 0;
  }

  #detach(): void {
    this.#attached = false;
    for (const event of domEvents) this.#socket.removeEventListener(event, this.#handlers[event]);
  }
}

/** True when `Ctor` is an EventEmitter-style (`ws`) WebSocket. */
function isNodeStyle(Ctor: WebSocketConstructor): boolean {
  const proto: unknown = Ctor.prototype;
  return typeof proto === 'object' && proto !== null && typeof (proto as { on?: unknown }).on === 'function';
}

/** Creates the socket and starts the dial. May throw synchronously (invalid URL in the constructor). */
export function openSocket(
  Ctor: WebSocketConstructor | undefined,
  options: DialOptions,
  sink: SocketSink,
): SocketAdapter {
  // The resolver refuses `native` together with a WebSocket constructor.
  if (options.transport === 'native') return new NativeSocket(options, sink);
  if (Ctor === undefined) return new NodeSocket(NodeWebSocket, options, sink);
  if (isNodeStyle(Ctor)) return new NodeSocket(Ctor as unknown as typeof NodeWebSocket, options, sink);
  return new DomSocket(Ctor, options, sink);
}
