/**
 * `kalshi-ws-pool/nats`: gatherers that publish to NATS JetStream (`createJetStreamRouter`), a sharded
 * registry for splitting the exchange over processes, and a consumer that merges the gatherers
 * (`createJetStreamSource`). `@nats-io/transport-node` and `@nats-io/jetstream` are optional peer
 * dependencies; only this subpath imports them. See docs/scale-out.md.
 * @packageDocumentation
 * @module kalshi-ws-pool/nats
 */
export { createJetStreamRouter } from './router';
export type { JetStreamRouter, JetStreamRouterStats } from './router';
export { JETSTREAM_ROUTER_DEFAULTS } from './router-options';
export type { JetStreamRouterOptions } from './router-options';
export { STREAM_PROVISION_DEFAULTS, subjectsCover } from './stream';
export type { StreamProvisionOptions } from './stream';
export { createJetStreamSource, JETSTREAM_SOURCE_DEFAULTS } from './source';
export type { JetStreamSource, JetStreamSourceOptions, JetStreamSourceStats } from './source';
export type { JetStreamMessage, MergerStats } from './merger';
export { createShardedRegistry, eventTickerOf, shardOf } from './sharding';
export type { ShardOptions } from './sharding';
export { identifyFrame, isControlType, scanTicker, subjectToken, tickerFromToken } from './subject';
export type { FrameIdentity } from './subject';
export { NATS_HEADERS } from './headers';
export { NatsConnectError, NatsStreamError } from './errors';
