/**
 * kalshi-ws-pool: a self-healing pool of Kalshi market-data WebSocket connections.
 * Explicit named exports only; each section is owned by one area of `src/`.
 * @packageDocumentation
 */

// errors
export {
  AuthError,
  ClosedError,
  CommandRejectedError,
  CommandTimeoutError,
  ConfigError,
  ConnectError,
  ErrorCode,
  InvalidCommandError,
  KalshiWsPoolError,
  PoolStartError,
  ProtocolError,
  RateLimitedError,
  StateError,
  isKalshiWsPoolError,
} from './errors';
export type { ConnectionErrorOptions, ErrorOptions, RejectionClass, SlotFailure } from './errors';

// messages and ports
export type { RawMessage } from './raw-message';
export type { Clock, TimerHandle } from './ports/clock';
export { systemClock } from './ports/clock';
export type { LogFields, Logger } from './ports/logger';
export { silentLogger } from './ports/logger';
export type { MarketChange, MarketChangeListener, Registry } from './ports/registry';
export type { Router } from './ports/router';

// protocol
export { Channel } from './protocol/kalshi/channels';
export type { ChannelName, UpdateAction } from './protocol/kalshi/channels';
export type { EnvelopeScan, ScanFailure } from './protocol/kalshi/envelope';
export { createEnvelopeScan } from './protocol/kalshi/envelope';
export type { KalshiAuthHeaders, KalshiSigner } from './protocol/kalshi/auth-headers';
export { WS_SIGN_PATH } from './protocol/kalshi/auth-headers';
// protocol (implementation exports are added below by the protocol layer)

// client
export type {
  Client,
  ClientEmitter,
  ClientEvents,
  ClientFactory,
  ClientState,
  ClientStats,
  CloseInfo,
  CloseKind,
  CommandOptions,
  SubscribeOptions,
  SubscribeResult,
  SubscriptionInfo,
  UnsubscribeResult,
  UpdateResult,
} from './client/client';
// client (implementation exports are added below by the client layer)

// manager (exports are added below by the manager layer)
