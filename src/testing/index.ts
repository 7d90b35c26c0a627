/**
 * `kalshi-ws-pool/testing`: a protocol-faithful Kalshi simulator and an in-memory fake client.
 * @packageDocumentation
 * @module kalshi-ws-pool/testing
 */

// simulator (exports added by the simulator)
export { startSimulator } from './simulator/simulator';
export {
  SIMULATOR_DEFAULTS,
  SIMULATOR_LIMIT_DEFAULTS,
  SIMULATOR_TRAFFIC_DEFAULTS,
  resolveSimulatorOptions,
} from './simulator/options';
export type { SimulatorKeyOrder, SimulatorLimits, SimulatorOptions, SimulatorTrafficOptions } from './simulator/options';
export type {
  MarketEndEvent,
  SimBook,
  SimConnectionInfo,
  SimSubscriptionInfo,
  Simulator,
  SimulatorCredentials,
} from './simulator/types';
export type {
  DropOptions,
  FailCommandsOptions,
  FaultController,
  FaultTarget,
  MalformedKind,
  MalformedOptions,
  RejectHandshakesOptions,
} from './simulator/fault-types';
export type { SimulatorStats } from './simulator/stats';
export type { BlastOptions, BlastResult } from './simulator/blast';
export type { SimChannel } from './simulator/subscription';
export type {
  SimAccountController,
  SimAccountCredentials,
  SimAccountKeyOptions,
  SimFill,
  SimFillOptions,
} from './simulator/accounts';
export { PRIVATE_CHANNELS } from './simulator/private-channels';
export type { PrivateSimChannel } from './simulator/private-channels';
export { generateTicker } from './simulator/tickers';
export type { GeneratedTicker } from './simulator/tickers';
export { KALSHI_ERROR_MESSAGES } from './simulator/kalshi-errors';

// fake client (exports added by the fake client)
export { FakeClient } from './fake-client';
export type { FakeClientOptions, FakeCommand, FakeFailureFilter } from './fake-client';
export { createFakeClientFactory } from './fake-client-factory';
export type { FakeClientFactory, SlotFakeOptions } from './fake-client-factory';
export {};
