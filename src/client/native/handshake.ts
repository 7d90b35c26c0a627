import { createHash, randomBytes } from 'node:crypto';
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';

/** RFC 6455 4.2.2: the GUID the server appends to the key before hashing it. */
const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** What the opening handshake reports. Exactly one of these is called, once. */
export interface HandshakeEvents {
  /** 101 with valid headers: the socket now speaks WebSocket; `head` holds bytes that came with the 101. */
  upgraded(socket: Duplex, head: Buffer): void;
  /** A non-101 answer (its body already drained). */
  rejected(status: number, retryAfter: string | readonly string[] | undefined): void;
  /** A network failure or a 101 that breaks RFC 6455 4.1. */
  failed(error: Error): void;
}

/** A handshake in flight. */
export interface Handshake {
  /** Ends the handshake now (no event follows); safe to call at any time, more than once. */
  abort(): void;
  /** Listeners the handshake still holds on its request (0 once it ended). */
  listenerCount(): number;
}

const noop = (): void => {};

/** The `Sec-WebSocket-Accept` a server must answer for `key`. */
export function acceptFor(key: string): string {
  return createHash('sha1').update(key + ACCEPT_GUID).digest('base64');
}

/**
 * Why a 101 answer cannot be accepted (RFC 6455 4.1, client side), or undefined when it is fine.
 * We ask for no extension and no subprotocol, so the server may name neither.
 */
export function checkUpgrade(response: IncomingMessage, key: string): string | undefined {
  const headers = response.headers;
  if (headers.upgrade?.toLowerCase() !== 'websocket') return 'Invalid Upgrade header';
  const connection = headers.connection?.toLowerCase().split(',').map((token) => token.trim()) ?? [];
  if (!connection.includes('upgrade')) return 'Invalid Connection header';
  if (headers['sec-websocket-accept'] !== acceptFor(key)) return 'Invalid Sec-WebSocket-Accept header';
  if (headers['sec-websocket-extensions'] !== undefined) return 'Server sent a Sec-WebSocket-Extensions header but no extension was requested';
  if (headers['sec-websocket-protocol'] !== undefined) return 'Server sent a subprotocol but none was requested';
  return undefined;
}

/**
 * Starts the opening handshake of `url` (`ws:` over http, `wss:` over https with certificate checks left
 * on) with `headers` added, and reports through `events`. No redirect is followed. The request, which
 * holds the signed headers, stays inside this closure: nothing returned leads to it.
 * Throws synchronously on a URL Node cannot request.
 */
export function startHandshake(url: URL, headers: Readonly<Record<string, string>>, events: HandshakeEvents): Handshake {
  const key = randomBytes(16).toString('base64');
  const secure = url.protocol === 'wss:';
  const all: OutgoingHttpHeaders = {
    ...headers,
    Host: url.host,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': key,
  };
  const options = {
    method: 'GET',
    protocol: secure ? 'https:' : 'http:',
    // URL keeps IPv6 literals in brackets; the request wants the bare address.
    hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
    port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
    path: url.pathname + url.search,
    headers: all,
    // A socket of its own: an upgraded socket never goes back to a pool.
    agent: false,
  } as const;
  const request: ClientRequest = secure ? httpsRequest(options) : httpRequest(options);
  let ended = false;
  /** Set once the socket was handed over: from then on it belongs to the caller, not to the request. */
  let upgraded = false;
  /** Ends the handshake once: listeners off (a no-op error guard stays, a late error must not crash). */
  const end = (): boolean => {
    if (ended) return false;
    ended = true;
    request.off('upgrade', onUpgrade).off('response', onResponse).off('error', onError).on('error', noop);
    return true;
  };
  const onUpgrade = (response: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (!end()) {
      socket.destroy();
      return;
    }
    const problem = response.statusCode === 101 ? checkUpgrade(response, key) : `Unexpected status ${response.statusCode ?? 0}`;
    if (problem !== undefined) {
      socket.destroy();
      events.failed(new Error(`WebSocket handshake failed: ${problem}`));
      return;
    }
    upgraded = true;
    events.upgraded(socket, head);
  };
  const onResponse = (response: IncomingMessage): void => {
    response.resume(); // drain the body so the socket can be released
    if (!end()) return;
    events.rejected(response.statusCode ?? 0, response.headers['retry-after']);
  };
  const onError = (error: Error): void => {
    if (!end()) return;
    events.failed(error);
  };
  request.on('upgrade', onUpgrade).on('response', onResponse).on('error', onError);
  request.end();
  return {
    abort: () => {
      end();
      if (!upgraded) request.destroy();
    },
    listenerCount: () => (ended ? 0 : 3),
  };
}
