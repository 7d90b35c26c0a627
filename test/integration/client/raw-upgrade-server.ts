/**
 * A hand-written WebSocket server on 127.0.0.1 for the native transport's tests: it answers the upgrade
 * itself (so a test can send a wrong accept, an extension, or frames along with the 101) and hands the
 * raw socket over, so a test can write any bytes, legal or not, and read the client's frames decoded.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ClientFrame } from '../../unit/client/native/server-frames';
import { closeBody, decodeClientFrames, serverFrame } from '../../unit/client/native/server-frames';

/** How the server answers the upgrade. */
export interface RawUpgradeOptions {
  /** Replace the computed Sec-WebSocket-Accept. */
  readonly accept?: string;
  /** Extra response header lines, e.g. `Sec-WebSocket-Extensions: permessage-deflate`. */
  readonly extraHeaders?: readonly string[];
  /** Bytes written in the same write as the 101 (frames that arrive with the handshake). */
  readonly head?: Buffer;
  /** Never answer a close frame and never close the TCP link (a peer that lingers). */
  readonly linger?: boolean;
}

/** One accepted connection. */
export interface RawConnection {
  readonly socket: Socket;
  readonly headers: IncomingHttpHeaders;
  /** Client frames decoded so far (unmasked), in order. */
  readonly frames: ClientFrame[];
  /** True once the client ended or destroyed its side. */
  readonly ended: () => boolean;
  /** Sends a close frame (the server starts the closing handshake). */
  sendClose(code: number, reason: string): void;
}

export interface RawUpgradeServer {
  readonly url: string;
  readonly connection: Promise<RawConnection>;
  close(): Promise<void>;
}

export async function rawUpgradeServer(options: RawUpgradeOptions = {}): Promise<RawUpgradeServer> {
  const server = createServer((_req, res) => res.writeHead(404).end());
  const sockets = new Set<Socket>();
  let resolve!: (c: RawConnection) => void;
  const connection = new Promise<RawConnection>((r) => (resolve = r));
  server.on('upgrade', (req, socket: Socket) => {
    sockets.add(socket);
    const key = String(req.headers['sec-websocket-key']);
    const accept = options.accept ?? createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    const lines = ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`, ...(options.extraHeaders ?? [])];
    const response = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`);
    socket.write(options.head === undefined ? response : Buffer.concat([response, options.head]));
    const frames: ClientFrame[] = [];
    let pending = Buffer.alloc(0);
    let ended = false;
    let closeSent = false;
    const sendClose = (code: number, reason: string): void => {
      closeSent = true;
      socket.write(serverFrame(0x8, closeBody(code, reason)));
    };
    socket.on('data', (chunk: Buffer) => {
      const decoded = decodeClientFrames(Buffer.concat([pending, chunk]));
      frames.push(...decoded.frames);
      pending = Buffer.from(decoded.rest);
      // The closing handshake, server side: echo the client's close frame once, then close the TCP link.
      const close = decoded.frames.find((f) => f.opcode === 0x8);
      if (close !== undefined && options.linger !== true) {
        if (!closeSent) socket.write(serverFrame(0x8, close.payload.subarray(0, 2)));
        closeSent = true;
        socket.end();
      }
    });
    // The HTTP server keeps sockets half-open: close ours when the client ends its side.
    socket.on('end', () => {
      ended = true;
      if (options.linger !== true) socket.end();
    });
    socket.on('close', () => {
      ended = true;
      sockets.delete(socket);
    });
    socket.on('error', () => undefined);
    resolve({ socket, headers: req.headers, frames, ended: () => ended, sendClose });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/trade-api/ws/v2`,
    connection,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
