/**
 * kalshi-ws-pool: a self-healing pool of Kalshi market-data WebSocket connections.
 * Explicit named exports only; each section is owned by one area of `src/`.
 * @packageDocumentation
 * @module kalshi-ws-pool
 */

// errors
export {
  AuthError, ClosedError, CommandRejectedError, CommandTimeoutError, ConfigError, ConnectError, ErrorCode,
  InvalidCommandError, KalshiWsPoolError, NotReadyError, PoolStartError, ProtocolError, RateLimitedError, RedirectError,
  StateError,
  isKalshiWsPoolError,
} from './errors';
export type { ConnectionErrorOptions, ErrorOptions, NotReadyReason, RejectionClass, SlotFailure } from './errors';

// messages and ports
export type { RawMessage } from './raw-message';
export type { Clock, TimerHandle } from './ports/clock';
export { systemClock } from './ports/clock';
export type { LogFields, Logger } from './ports/logger';
export { silentLogger } from './ports/logger';
export type { MarketChange, MarketChangeListener, Registry } from './ports/registry';
export type { Router } from './ports/router';

// protocol: channel names and handshake signing. The byte-level wire layer (envelope scanner, reply
// classification, command builders, Kalshi error-code table) is the `kalshi-ws-pool/protocol` subpath.
export { Channel } from './protocol/kalshi/channels';
export type { ChannelName, UpdateAction } from './protocol/kalshi/channels';
export type { KalshiAuthHeaders, KalshiSigner } from './protocol/kalshi/auth-headers';
export { WS_SIGN_PATH } from './protocol/kalshi/auth-headers';
export { createKalshiSigner } from './protocol/kalshi/signer';
export type { KalshiCustomSignerOptions, KalshiKeySignerOptions, KalshiSignerOptions, SignerClock } from './protocol/kalshi/signer';

// client
export type {
  Client, ClientEmitter, ClientEvents, ClientFactory, ClientState, ClientStats, CloseInfo, CloseKind, CommandOptions, FrameSink,
  SubscribeOptions, SubscribeResult, SubscriptionInfo, UnsubscribeResult, UpdateResult,
} from './client/client';
// client (implementation exports are added below by the client layer)
export { createKalshiClient } from './client/kalshi-client';
export { kalshiClientDefaults } from './client/kalshi-client-options';
export type { ClientTransport, KalshiClientOptions, WebSocketConstructor } from './client/kalshi-client-options';

// manager (exports are added below by the manager layer)
export { createConnectionManager } from './manager/connection-manager';
export type { ConnectionManager } from './manager/connection-manager';
export { managerDefaults } from './manager/manager-options';
export type {
  AdmissionOptions, ConnectionManagerOptions, HealthCheckOptions, LayoutOptions, ManagerClientOptions,
  ManagerCommonOptions, ManagerDialOptions, ManagerFactoryOptions, QueueOptions, ReconnectOptions, RepairOptions,
} from './manager/manager-options';
export type {
  CommandEvent, CommandName, CommandOutcome, ConnectedEvent, ConnectionManagerEvents, DegradedEvent, DisconnectedEvent,
  GapEvent, HealthCheckFailure, ManagerErrorEvent, ManagerEventName, ReconnectedEvent, ReconnectingEvent, RepairEvent,
  RepairOutcome, ResubscribeEvent, UnplacedEvent,
} from './manager/manager-events';
export type { ConnectionHealth, ManagerHealth, ManagerState, ManagerStats, SlotState } from './manager/manager-stats';
export type { SlotRole } from './manager/layout';
export type { ConnectionStats } from './manager/connection-stats';
export type { OverflowPolicy } from './manager/output-queue';
export { readyDefaults } from './manager/readiness';
export type { ReadyOptions } from './manager/readiness';
export type { StopOptions } from './manager/stop-deadline';
export type { BatchOptions, IterateOptions } from './manager/iterate-options';

// registry (in-memory)
export { createMemoryRegistry } from './registry/memory-registry';
export type { MemoryRegistry } from './registry/memory-registry';

// registry (Kalshi REST)
export { createKalshiRestRegistry } from './registry/kalshi-rest-registry';
export type { KalshiRestRegistry } from './registry/kalshi-rest-registry';
export { KALSHI_REST_URLS, restRegistryDefaults } from './registry/rest-registry-options';
export type { KalshiRestRegistryOptions, RestMarket, RestMarketFilter, RestRetryOptions } from './registry/rest-registry-options';

// user data (per-account private channels)
export { createUserDataManager } from './user-data/user-data-manager';
export type { UserDataManager } from './user-data/user-data-manager';
export { createMemoryAccountSource } from './user-data/memory-account-source';
export type { MemoryAccountSource } from './user-data/memory-account-source';
export type { Account, AccountChangeListener, AccountSource } from './ports/account-source';
export { PrivateChannel, userDataDefaults } from './user-data/user-data-options';
export type {
  BackfillOptions, PrivateChannelName, UserDataHealthCheckOptions, UserDataManagerOptions,
} from './user-data/user-data-options';
export type { UserDataMessage } from './user-data/user-data-message';
export type {
  AccountConnectedEvent, AccountDeactivatedEvent, AccountDegradedEvent, AccountDisconnectedEvent,
  AccountReactivatedEvent, AccountReconnectingEvent, BackfillEvent, DeactivationReason, ReconcileEvent, ReconcileStatus,
  ReconnectReason, UserDataErrorEvent, UserDataManagerEvents,
} from './user-data/user-data-events';
export type { AccountHealth, AccountState, UserDataHealth, UserDataState, UserDataStats } from './user-data/user-data-stats';
