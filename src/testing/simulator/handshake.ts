import { STATUS_CODES } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { WS_SIGN_PATH } from '../../protocol/kalshi/auth-headers';
import type { AuthVerifier } from './auth';
import type { Faults } from './faults';
import type { StatsCounters } from './stats';

/** What the upgrade handler needs from the simulator. */
export interface HandshakeEnv {
  readonly faults: Faults;
  readonly auth: AuthVerifier;
  readonly stats: StatsCounters;
  readonly wss: WebSocketServer;
  /** Open connections using this key id. */
  openByKey(keyId: string): number;
  /** Current per-key connection limit. */
  connectionsPerKey(): number;
  /** True once the simulator is closing. */
  closing(): boolean;
  /** Register an upgraded connection. */
  accept(ws: WebSocket, socket: Duplex, keyId: string): void;
}

/** Answer a handshake with an HTTP error instead of upgrading, then end the socket. */
export function rejectUpgrade(socket: Duplex, status: number, retryAfterSeconds?: number): void {
  const reason = STATUS_CODES[status] ?? 'Error';
  const body = JSON.stringify({ error: { code: status, message: reason } });
  const retry = retryAfterSeconds === undefined ? '' : `Retry-After: ${retryAfterSeconds}\r\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\n${retry}` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * Handles the HTTP `upgrade` event the way Kalshi's gateway does: 404 for other paths, injected
 * rejections (403/429/500…), 401 for missing or bad signatures and skewed clocks, 429 past the
 * per-key connection limit, else the WebSocket upgrade.
 */
export function handleUpgrade(env: HandshakeEnv, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy());
  const reject = (status: number, retryAfterSeconds?: number): void => {
    env.stats.rejected(status);
    rejectUpgrade(socket, status, retryAfterSeconds);
  };
  if (env.closing()) return reject(503);
  const path = (req.url ?? '/').split('?')[0];
  if (path !== WS_SIGN_PATH) return reject(404);
  const injected = env.faults.takeRejection('ws');
  if (injected !== undefined) return reject(injected.status, injected.retryAfterSeconds);
  const auth = env.auth.verify(req.headers, 'GET', WS_SIGN_PATH);
  if (!auth.ok) return reject(401);
  if (env.openByKey(auth.keyId) >= env.connectionsPerKey()) return reject(429);
  env.wss.handleUpgrade(req, socket, head, (ws) => {
    env.stats.handshakesAccepted++;
    env.accept(ws, socket, auth.keyId);
  });
}
