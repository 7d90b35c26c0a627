/**
 * The native transport's handshake checks (#13): the accept value of RFC 6455's own example, and which
 * 101 answers are refused.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { acceptFor, checkUpgrade } from '../../../../src/client/native/handshake';

const key = 'dGhlIHNhbXBsZSBub25jZQ==';
const accept = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='; // RFC 6455 section 1.3

function answer(headers: Record<string, string>): IncomingMessage {
  return { statusCode: 101, headers } as unknown as IncomingMessage;
}

describe('native handshake checks', () => {
  it("computes RFC 6455's example Sec-WebSocket-Accept", () => {
    expect(acceptFor(key)).toBe(accept);
  });

  it('accepts a valid 101, header names and tokens in any case', () => {
    expect(checkUpgrade(answer({ upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-accept': accept }), key)).toBeUndefined();
    expect(checkUpgrade(answer({ upgrade: 'WebSocket', connection: 'keep-alive, upgrade', 'sec-websocket-accept': accept }), key)).toBeUndefined();
  });

  it.each([
    ['no Upgrade', { connection: 'Upgrade', 'sec-websocket-accept': accept }, /Upgrade header/],
    ['Upgrade: h2c', { upgrade: 'h2c', connection: 'Upgrade', 'sec-websocket-accept': accept }, /Upgrade header/],
    ['no Connection: Upgrade', { upgrade: 'websocket', connection: 'keep-alive', 'sec-websocket-accept': accept }, /Connection header/],
    ['no accept', { upgrade: 'websocket', connection: 'Upgrade' }, /Sec-WebSocket-Accept/],
    ['the accept of another key', { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-accept': acceptFor('b3RoZXIga2V5IDEyMzQ1Ng==') }, /Sec-WebSocket-Accept/],
    ['an extension', { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-accept': accept, 'sec-websocket-extensions': 'permessage-deflate' }, /Extensions/],
    ['a subprotocol', { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-accept': accept, 'sec-websocket-protocol': 'chat' }, /subprotocol/],
  ] as const)('refuses a 101 with %s', (_name, headers, why) => {
    expect(checkUpgrade(answer(headers), key)).toMatch(why);
  });
});
