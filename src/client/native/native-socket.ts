import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Clock } from '../../ports/clock';
import type { DialOptions, SocketAdapter, SocketSink } from '../socket-adapter';
import type { FrameReaderEvents } from './frame-reader';
import { FrameReader } from './frame-reader';
import type { FrameViolation } from './frame-violation';
import { Opcode, closeFrame, encodeFrame, textFrame } from './frame-writer';
import type { Handshake } from './handshake';
import { startHandshake } from './handshake';

type Phase = 'connecting' | 'open' | 'closing' | 'closed';

const noop = (): void => {};
const empty = Buffer.alloc(0);

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/**
 * The SDK's own WebSocket client transport (Node only, opt-in with `transport: 'native'`): a raw TCP/TLS
 * socket after an HTTP upgrade, read by {@link FrameReader}, written with masked frames. It behaves like
 * the `ws` adapter as the client sees it: the same `WS_ERR_*` codes on bad frames, close code 1006 for a
 * link that ended without a close frame, `close` reported exactly once. See docs/transport.md.
 */
export class NativeSocket implements SocketAdapter {
  readonly signed = true;
  // True private fields (#): until the dial ends the handshake closure holds the signed request, and
  // nothing reachable from a public object (util.inspect, even with showHidden) may lead to it.
  readonly #sink: SocketSink;
  readonly #clock: Clock;
  readonly #closeTimeoutMs: number;
  readonly #reader: FrameReader;
  #phase: Phase = 'connecting';
  #handshake: Handshake | undefined;
  #socket: Duplex | undefined;
  #paused = false;
  #closeSent = false;
  #closeCode = 1006;
  #closeReason = '';
  /** Destroys a socket the server does not close after the close handshake. */
  #lingerTimer: unknown;

  constructor(options: DialOptions, sink: SocketSink) {
    this.#sink = sink;
    // Only what is needed later is kept: the signed headers go to the handshake and nowhere else.
    this.#clock = options.clock;
    this.#closeTimeoutMs = options.closeTimeoutMs;
    const url = new URL(options.url); // may throw: the client reports a dial failure
    this.#reader = new FrameReader(
      { maxPayload: options.maxPayload, skipUTF8Validation: options.skipUTF8Validation },
      this.#readerEvents,
    );
    const headers: Record<string, string> = options.headers === undefined ? {} : { ...options.headers };
    this.#handshake = startHandshake(url, headers, {
      upgraded: (socket, head) => this.#upgraded(socket, head),
      rejected: (status, retryAfter) => {
        this.#handshake = undefined;
        sink.unexpectedResponse(status, retryAfter);
        this.#finish();
      },
      failed: (error) => {
        this.#handshake = undefined;
        sink.error(error);
        this.#finish();
      },
    });
  }

  get closed(): boolean {
    return this.#phase === 'closed';
  }

  send(text: string): Promise<void> {
    const socket = this.#socket;
    if (this.#phase !== 'open' || this.#closeSent || socket === undefined) {
      return Promise.reject(new Error(`WebSocket is not open (${this.#phase})`));
    }
    return new Promise((resolve, reject) => {
      socket.write(textFrame(text), (error) => (error ? reject(error) : resolve()));
    });
  }

  ping(): boolean {
    if (this.#phase !== 'open' || this.#closeSent) return false;
    this.#socket?.write(encodeFrame(Opcode.ping, empty));
    return true;
  }

  close(code: number, reason: string): void {
    if (this.#phase === 'connecting') {
      this.terminate();
      return;
    }
    if (this.#phase === 'closed' || this.#closeSent) return;
    this.#sendClose(code, reason);
    // With the server's close frame already in, both halves are done; else wait for it (the client's
    // closeTimeoutMs terminates a peer that never answers).
    if (this.#reader.done) this.#endSocket();
  }

  terminate(): void {
    if (this.#phase === 'closed') return;
    if (this.#phase === 'connecting') {
      this.#handshake?.abort();
      this.#handshake = undefined;
      // Like `ws`, `close` follows asynchronously: the caller finishes its own bookkeeping first.
      process.nextTick(() => this.#finish());
      return;
    }
    this.#reader.stop();
    this.#socket?.destroy(); // 'close' follows and reports 1006 unless a close frame came in
  }

  pause(): void {
    this.#paused = true;
    if (!this.#reader.done) this.#socket?.pause();
  }

  resume(): void {
    this.#paused = false;
    this.#socket?.resume();
  }

  listenerCount(): number {
    if (this.#phase === 'closed') return 0;
    return (this.#handshake?.listenerCount() ?? 0) + (this.#socket === undefined ? 0 : socketEvents);
  }

  #upgraded(socket: Duplex, head: Buffer): void {
    this.#handshake = undefined;
    if (this.#phase !== 'connecting') {
      socket.destroy();
      return;
    }
    this.#socket = socket;
    (socket as Partial<Socket>).setNoDelay?.(true);
    socket.on('data', this.#onData).on('error', this.#onError).on('close', this.#onClose);
    this.#phase = 'open';
    if (this.#paused) socket.pause();
    else socket.resume();
    this.#sink.open();
    // Frames that came in the same read as the 101.
    if (head.length > 0) this.#onData(head);
  }

  readonly #onData = (chunk: Buffer): void => {
    try {
      this.#reader.push(chunk);
    } catch (error) {
      // A callback above us threw: end this link rather than let it escape a socket callback.
      this.#reader.stop();
      this.#socket?.destroy();
      try {
        this.#sink.error(asError(error));
      } catch {
        // already ending; nothing more to report to
      }
    }
  };

  /** Like `ws`: a socket error after the upgrade ends the link, reported as a close without frame (1006). */
  readonly #onError = (): void => {
    this.#socket?.destroy();
  };

  readonly #onClose = (): void => {
    this.#finish();
  };

  readonly #readerEvents: FrameReaderEvents = {
    message: (data, isBinary) => this.#sink.message(data, isBinary),
    ping: (payload) => {
      if (!this.#closeSent) this.#socket?.write(encodeFrame(Opcode.pong, payload));
      this.#sink.ping();
    },
    pong: () => this.#sink.pong(),
    close: (code, reason) => {
      this.#closeCode = code;
      this.#closeReason = reason;
      if (!this.#closeSent) this.#sendClose(code, '');
      this.#endSocket();
    },
    violation: (error: FrameViolation) => {
      this.#sink.error(error);
      if (this.#phase === 'closed') return;
      if (!this.#closeSent) this.#sendClose(error.closeCode, '');
      this.#endSocket();
    },
  };

  #sendClose(code: number, reason: string): void {
    this.#closeSent = true;
    this.#phase = 'closing';
    this.#socket?.write(closeFrame(code, reason));
  }

  /**
   * Reading is over (close frame or violation): half-close our side and keep draining, so the server's
   * FIN is seen even if the client had paused us; destroy the socket if it lingers past closeTimeoutMs.
   */
  #endSocket(): void {
    const socket = this.#socket;
    if (socket === undefined || this.#phase === 'closed') return;
    this.#phase = 'closing';
    socket.end();
    socket.resume();
    if (this.#lingerTimer === undefined) {
      this.#lingerTimer = this.#clock.setTimeout(() => {
        this.#lingerTimer = undefined;
        socket.destroy();
      }, this.#closeTimeoutMs);
    }
  }

  /** The single exit: listeners and timer off, `close` reported once. */
  #finish(): void {
    if (this.#phase === 'closed') return;
    this.#phase = 'closed';
    this.#reader.stop();
    this.#handshake?.abort();
    this.#handshake = undefined;
    if (this.#lingerTimer !== undefined) this.#clock.clearTimeout(this.#lingerTimer);
    this.#lingerTimer = undefined;
    const socket = this.#socket;
    if (socket !== undefined) {
      socket.off('data', this.#onData).off('error', this.#onError).off('close', this.#onClose).on('error', noop);
      socket.destroy();
    }
    this.#sink.close(this.#closeCode, this.#closeReason);
  }
}

/** Listeners an open {@link NativeSocket} holds on its socket: data, error, close. */
const socketEvents = 3;
