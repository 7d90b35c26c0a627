import type { SimAccountController } from './accounts';
import type { BlastOptions, BlastResult } from './blast';
import type { FaultController } from './fault-types';
import type { SimulatorTrafficOptions } from './options';
import type { SimulatorStats } from './stats';
import type { SimChannel } from './subscription';

/** One subscription (sid) as {@link Simulator.connections} reports it. */
export interface SimSubscriptionInfo {
  /** Subscription id on its connection. */
  readonly sid: number;
  /** Its channel. */
  readonly channel: SimChannel;
  /** Markets held (0 for a global subscription). */
  readonly markets: number;
  /** True when it covers every market (no market filter). */
  readonly global: boolean;
  /** Last seq sent on the sid (0 before any frame; always 0 for `ticker`). */
  readonly seq: number;
  /** Frames sent on the sid. */
  readonly framesSent: number;
}

/** One connection as {@link Simulator.connections} reports it. */
export interface SimConnectionInfo {
  /** Simulator connection id, 1.. in accept order (targets of faults). */
  readonly id: number;
  /** False once the socket closed. */
  readonly open: boolean;
  /** Open subscriptions, by sid (empty once closed). */
  readonly subscriptions: readonly SimSubscriptionInfo[];
  /** Commands received on it. */
  readonly commandsReceived: number;
  /** Standing fault: `faults.silence` holds back every outbound frame. */
  readonly silenced: boolean;
  /** Standing fault: `faults.stopPings` stopped the heartbeat pings. */
  readonly pingsStopped: boolean;
}

/** Key material the simulator generated when no `publicKeys` were given. */
export interface SimulatorCredentials {
  /** Send as `KALSHI-ACCESS-KEY`. */
  readonly keyId: string;
  /** PKCS#8 PEM private key to sign with. */
  readonly privateKeyPem: string;
}

/** Event types accepted by {@link Simulator.removeMarket}. */
export type MarketEndEvent = 'deactivated' | 'determined' | 'settled';

/**
 * A running Kalshi market-data simulator (WebSocket + REST on one port). Create it with
 * `startSimulator`; always `close()` it.
 */
export interface Simulator {
  /** WebSocket URL, `ws://127.0.0.1:PORT/trade-api/ws/v2`. */
  readonly url: string;
  /** REST base URL, `http://127.0.0.1:PORT/trade-api/v2`. */
  readonly restUrl: string;
  /** The listening port. */
  readonly port: number;
  /** The generated key pair's id and private key, when `publicKeys` was not given. */
  readonly credentials: SimulatorCredentials | undefined;
  /** Tickers of the open markets, in listing order. */
  readonly markets: readonly string[];
  /** Fault injection; see {@link FaultController}. */
  readonly faults: FaultController;
  /** Per-key trading accounts and their private channels (fills, orders, positions). */
  readonly accounts: SimAccountController;
  /**
   * List a market (a generated ticker when none is given) and send lifecycle `created` and `activated`
   * to every lifecycle sid. The REST listing reflects it at once.
   * @throws {ConfigError} when that ticker is already open.
   */
  addMarket(ticker?: string): string;
  /**
   * End a market: a lifecycle event (default `determined`) to every lifecycle sid; it leaves the
   * REST listing and gets no more generated traffic (sids holding it keep it).
   * @throws {ConfigError} when the ticker is not an open market.
   */
  removeMarket(ticker: string, eventType?: MarketEndEvent): void;
  /** Every connection accepted so far (the most recent 1,000 closed ones are kept). */
  connections(): SimConnectionInfo[];
  /**
   * The simulator's own book of a market as wire strings, best price first (what a correct client
   * should hold once traffic is quiet); undefined for a ticker it never saw.
   * @example
   * sim.setTraffic({}); const truth = sim.book(ticker);
   */
  book(ticker: string): SimBook | undefined;
  /** Ids of open connections with an orderbook sid holding `ticker`. */
  connectionsHolding(ticker: string): number[];
  /** A snapshot of the counters. */
  stats(): SimulatorStats;
  /**
   * One `orderbook_delta` for the market (its book changes), to every orderbook sid holding it.
   * @returns frames sent.
   * @throws {ConfigError} for a ticker the simulator never saw.
   */
  publishDelta(ticker: string): number;
  /** One `trade` for the market, to every trade sid covering it. @returns frames sent. */
  publishTrade(ticker: string): number;
  /** One `ticker` update for the market, to every ticker sid covering it. @returns frames sent. */
  publishTicker(ticker: string): number;
  /** Change the generated traffic rates at run time (same shape and defaults as the option). */
  setTraffic(traffic: SimulatorTrafficOptions): void;
  /**
   * Firehose for benchmarks: `frames` deltas per orderbook sid, as fast as the sockets take them,
   * waiting on backpressure so memory stays bounded.
   * @example
   * const { framesPerSecond } = await sim.blast({ frames: 10_000 });
   */
  blast(options: BlastOptions): Promise<BlastResult>;
  /** Close every socket, timer and the server. Idempotent. */
  close(): Promise<void>;
  /** Same as {@link close}. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** One market's book as {@link Simulator.book} returns it: `[price, size]` strings, best price first. */
export interface SimBook {
  /** Yes bids, best first. */
  readonly yes: readonly (readonly [string, string])[];
  /** No bids, best first. */
  readonly no: readonly (readonly [string, string])[];
}
