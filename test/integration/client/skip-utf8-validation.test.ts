/**
 * #13: `skipUTF8Validation` hands text frames through without `ws`'s UTF-8 check. Off (the default), a
 * frame with invalid UTF-8 ends the link (1007); on, it is delivered byte for byte, and the envelope scan
 * still rejects a frame whose structure is broken.
 * (`ws` sends 1007 and drops the socket; the close this side reports is an `error` close carrying ws's
 * invalid-UTF-8 error.)
 */
import { describe, expect, it, vi } from 'vitest';
import type { WebSocket as ServerSocket } from 'ws';
import { createKalshiClient, kalshiClientDefaults } from 'kalshi-ws-pool';
import type { Client, CloseInfo, ProtocolError } from 'kalshi-ws-pool';
import { stubSigner } from '../../unit/client/mock-kalshi';
import { cleanupAfterEach } from './bare-server';

const { startServer, onCleanup } = cleanupAfterEach();

/** A trade frame whose ticker holds 0xff, never valid in UTF-8. */
const invalidUtf8 = Buffer.concat([
  Buffer.from('{"type":"trade","sid":3,"msg":{"market_ticker":"BAD'),
  Buffer.from([0xff, 0xfe]),
  Buffer.from('"}}'),
]);
const marker = '{"type":"trade","sid":3,"msg":{"market_ticker":"MARKER"}}';

async function connected(skipUTF8Validation: boolean | undefined): Promise<{
  client: Client;
  socket: ServerSocket;
  frames: Buffer[];
  errors: ProtocolError[];
  closed: Promise<CloseInfo>;
}> {
  const server = await startServer();
  const options = skipUTF8Validation === undefined ? {} : { skipUTF8Validation };
  const client = createKalshiClient({ url: server.url, signer: stubSigner(), ...options });
  onCleanup(() => client.terminate());
  const frames: Buffer[] = [];
  const errors: ProtocolError[] = [];
  client.setFrameSink((data) => frames.push(Buffer.from(data)));
  client.on('protocolError', (e) => errors.push(e));
  const closed = new Promise<CloseInfo>((resolve) => client.once('close', resolve));
  await client.connect();
  return { client, socket: await server.socket, frames, errors, closed };
}

describe('skipUTF8Validation (#13)', () => {
  it('defaults to off: a text frame with invalid UTF-8 ends the link as an error', async () => {
    expect(kalshiClientDefaults.skipUTF8Validation).toBe(false);
    const { socket, frames, closed } = await connected(undefined);
    socket.send(invalidUtf8, { binary: false });
    const info = await closed;
    expect(info.kind).toBe('error');
    expect(String(info.error?.message)).toMatch(/UTF-8/i);
    expect(frames).toEqual([]);
  });

  it('on: the frame is delivered byte for byte and the link stays up', async () => {
    const { client, socket, frames, errors } = await connected(true);
    socket.send(invalidUtf8, { binary: false });
    socket.send(marker);
    await vi.waitFor(() => expect(frames).toHaveLength(2), { timeout: 5_000 });
    expect(frames[0]!.equals(invalidUtf8)).toBe(true);
    expect(frames[1]!.toString()).toBe(marker);
    expect(errors).toEqual([]);
    expect(client.connected).toBe(true);
  });

  it('on: a frame whose structure is broken is still a protocolError, not a frame', async () => {
    const { socket, frames, errors } = await connected(true);
    socket.send(Buffer.from('{"type":"trade","sid":3,"msg":{"a":1}'), { binary: false });
    socket.send(marker);
    await vi.waitFor(() => expect(frames).toHaveLength(1), { timeout: 5_000 });
    expect(frames[0]!.toString()).toBe(marker);
    expect(errors.length).toBeGreaterThan(0);
  });
});
