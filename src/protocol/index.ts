/**
 * `kalshi-ws-pool/protocol`: the lower-level Kalshi wire layer the client is built on. Pure functions
 * over bytes and plain objects (no sockets, timers or emitters): the envelope scanner, reply
 * classification, command builders, the Kalshi error-code table and signature verification.
 *
 * Most applications never need it: `createConnectionManager` and `createKalshiClient` in the root
 * entry do all of this for you. Use it to write your own transport, to inspect raw frames, or to test
 * against Kalshi's wire format. The facts it encodes are described in docs/protocol.md.
 *
 * This subpath follows the wire format closely, so it may change in a minor release when Kalshi's
 * protocol or the scanner's internals change; pin the version if you depend on it.
 * @packageDocumentation
 * @module kalshi-ws-pool/protocol
 */

// envelope scanning (no JSON.parse)
export { createEnvelopeScan } from './kalshi/envelope';
export type { EnvelopeScan, ScanFailure, ScanMode } from './kalshi/envelope';
export { KNOWN_MESSAGE_TYPES, scanEnvelope } from './kalshi/envelope-scanner';

// replies to commands
export { classifyReply, toRejectedError } from './kalshi/replies';
export type {
  ErrorReply,
  ListReply,
  ListedSubscription,
  MalformedReply,
  OkReply,
  Reply,
  SubscribedReply,
  UnsubscribedReply,
  UpdatedReply,
} from './kalshi/replies';

// commands
export {
  buildListSubscriptions,
  buildSubscribe,
  buildUnsubscribe,
  buildUpdateSubscription,
  buildUpdateSubscriptionFromSids,
  encodeCommand,
} from './kalshi/commands';
export type { KalshiCommand, SubscribeCommandOptions } from './kalshi/commands';

// Kalshi error codes
export { KALSHI_ERROR_CODES, classifyKalshiError, kalshiErrorDescription } from './kalshi/error-codes';
export type { KalshiErrorInfo } from './kalshi/error-codes';

// handshake signatures (the signing side, createKalshiSigner, is in the root entry)
export { verifyKalshiSignature } from './kalshi/signer';
