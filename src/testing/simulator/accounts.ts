/**
 * Per-key trading accounts of the simulator: each account (a user) holds API keys, orders, fills and
 * positions. Fills execute against the simulator's own books (taker orders at the best opposite bid).
 * A revoked key gets HTTP 401 on its next handshake or REST request, as Kalshi answers a deleted key.
 */
import type { KeyObject} from 'node:crypto';
import { createPublicKey, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ConfigError } from '../../errors';
import { AuthVerifier, generateCredentials } from './auth';
import type { AuthResult } from './auth';
import { priceDollars, sizeFp } from './fixed-point';
import type { MarketUniverse } from './market-universe';
import type { SimulatorCredentials } from './types';

/** One fill as the simulator recorded it. */
export interface SimFill {
  /** `fill_id` (REST) and `trade_id` (socket). */
  readonly fillId: string;
  /** The taker order it came from. */
  readonly orderId: string;
  /** Market ticker. */
  readonly ticker: string;
  /** Side bought. */
  readonly side: 'yes' | 'no';
  /** Always `buy` in the simulator. */
  readonly action: 'buy' | 'sell';
  /** Contracts in hundredths. */
  readonly count: number;
  /** Yes price in ticks (1/100 of a cent). */
  readonly yesPrice: number;
  /** Unix seconds. */
  readonly ts: number;
  /** Position (hundredths) in the market after the fill. */
  readonly postPosition: number;
}

/** One market position of an account. */
export interface SimPosition {
  /** Contracts held (hundredths; negative = no side). */
  position: number;
  /** Cost in ticks × hundredths / 100. */
  cost: number;
  /** Contracts traded (hundredths). */
  volume: number;
}

/** A simulated account. */
export class SimAccount {
  readonly fills: SimFill[] = [];
  readonly positions = new Map<string, SimPosition>();
  orders = 0;

  constructor(readonly userId: string) {}
}

interface KeyEntry {
  readonly account: SimAccount;
  readonly publicKey: KeyObject;
  revoked: boolean;
}

/** Credentials of one account key. */
export interface SimAccountCredentials extends SimulatorCredentials {
  /** The account (user) the key belongs to. */
  readonly userId: string;
}

/** Options of `sim.accounts.create()` and `sim.accounts.addKey()`. */
export interface SimAccountKeyOptions {
  /**
   * Reuse this key pair instead of generating one (RSA generation costs ~50 ms; benchmarks with
   * thousands of accounts share one pair under distinct key ids).
   */
  readonly keyPair?: {
    /** PKCS#8 or PKCS#1 PEM private key; its public half is trusted for the new key id. */
    readonly privateKeyPem: string;
  };
}

/** Options of `sim.accounts.fill()`. */
export interface SimFillOptions {
  /** Market to trade; a random open market when omitted. */
  readonly ticker?: string;
  /** Side bought. @default random */
  readonly side?: 'yes' | 'no';
  /** Contracts (whole). @default 1..10 */
  readonly count?: number;
}

/** Everything per-account the simulator keeps. */
export class SimAccounts {
  readonly #keys = new Map<string, KeyEntry>();
  readonly #accounts = new Map<string, SimAccount>();
  #fillListener: ((account: SimAccount, fill: SimFill) => void) | undefined;

  constructor(private readonly universe: MarketUniverse) {}

  /** Called for every fill (the private channels publish it). */
  onFill(listener: (account: SimAccount, fill: SimFill) => void): void {
    this.#fillListener = listener;
  }

  /** Account of a key id (revoked keys included); undefined for unknown keys. */
  accountOfKey(keyId: string): SimAccount | undefined {
    return this.#keys.get(keyId)?.account;
  }

  /** Key ids of an account, revoked ones included (a revoked key's open connections stay open). */
  keysOf(account: SimAccount): string[] {
    const keys: string[] = [];
    for (const [keyId, entry] of this.#keys) if (entry.account === account) keys.push(keyId);
    return keys;
  }

  /** The account with this user id. @throws {ConfigError} when unknown. */
  get(userId: string): SimAccount {
    const account = this.#accounts.get(userId);
    if (account === undefined) throw new ConfigError('userId', 'is not an account of this simulator');
    return account;
  }

  /** A new account with one API key. */
  async create(options: SimAccountKeyOptions = {}): Promise<SimAccountCredentials> {
    const account = new SimAccount(randomUUID());
    this.#accounts.set(account.userId, account);
    return this.addKey(account.userId, options);
  }

  /** A new API key for an existing account (re-keying). */
  async addKey(userId: string, options: SimAccountKeyOptions = {}): Promise<SimAccountCredentials> {
    const account = this.get(userId);
    let privateKeyPem: string;
    let publicKey: KeyObject;
    if (options.keyPair !== undefined) {
      privateKeyPem = options.keyPair.privateKeyPem;
      try {
        publicKey = createPublicKey(privateKeyPem);
      } catch (error) {
        throw new ConfigError('keyPair.privateKeyPem', 'is not a parsable private key', { cause: error });
      }
    } else {
      const generated = await generateCredentials();
      privateKeyPem = generated.privateKeyPem;
      publicKey = generated.publicKey;
    }
    const keyId = randomUUID();
    this.#keys.set(keyId, { account, publicKey, revoked: false });
    return Object.freeze({ keyId, privateKeyPem, userId: account.userId });
  }

  /** Revoke a key: its next handshake or REST request gets 401. @returns false for an unknown key. */
  revoke(keyId: string): boolean {
    const entry = this.#keys.get(keyId);
    if (entry === undefined) return false;
    entry.revoked = true;
    return true;
  }

  /** Verify an account key's signature; undefined when the key id is not an account key. */
  verify(headers: IncomingHttpHeaders, method: string, path: string, windowMs: number): AuthResult | undefined {
    const keyId = headers['kalshi-access-key'];
    if (typeof keyId !== 'string') return undefined;
    const entry = this.#keys.get(keyId);
    if (entry === undefined) return undefined;
    if (entry.revoked) return { ok: false, reason: 'key-id' };
    return new AuthVerifier([entry.publicKey], keyId, windowMs).verify(headers, method, path);
  }

  /**
   * Execute a taker buy for the account against the simulator's book: price is the best ask of the
   * side bought (100 minus the best opposite bid). Returns the fill.
   * @throws {ConfigError} for an unknown account or market, or when no market is open.
   */
  fill(userId: string, options: SimFillOptions = {}): SimFill {
    const account = this.get(userId);
    const rng = this.universe.rng;
    const market = options.ticker === undefined ? this.universe.randomOpen() : this.universe.get(options.ticker);
    if (market === undefined) throw new ConfigError('ticker', 'no such open market');
    const side = options.side ?? (rng.int(2) === 0 ? 'yes' : 'no');
    const count = (options.count ?? 1 + rng.int(10)) * 100;
    // Buying yes lifts the best no bid (yes ask = 1 - no bid), and vice versa.
    const oppositeBid = this.universe.books.best(market.slot, side === 'yes' ? 1 : 0);
    const askTicks = oppositeBid === 0 ? 9_900 : 10_000 - oppositeBid;
    const yesPrice = side === 'yes' ? askTicks : 10_000 - askTicks;
    const position = account.positions.get(market.ticker) ?? { position: 0, cost: 0, volume: 0 };
    position.position += side === 'yes' ? count : -count;
    position.cost += (askTicks * count) / 100;
    position.volume += count;
    account.positions.set(market.ticker, position);
    account.orders++;
    const fill: SimFill = {
      fillId: randomUUID(),
      orderId: randomUUID(),
      ticker: market.ticker,
      side,
      action: 'buy',
      count,
      yesPrice,
      ts: Math.floor(Date.now() / 1000),
      postPosition: position.position,
    };
    account.fills.push(fill);
    this.#fillListener?.(account, fill);
    return fill;
  }
}

/** REST `Fill` object (field names as Kalshi's REST API spells them). */
export function restFillJson(fill: SimFill): Record<string, unknown> {
  return {
    fill_id: fill.fillId,
    trade_id: fill.fillId,
    order_id: fill.orderId,
    ticker: fill.ticker,
    market_ticker: fill.ticker,
    side: fill.side,
    action: fill.action,
    count_fp: sizeFp(fill.count),
    yes_price_dollars: priceDollars(fill.yesPrice),
    no_price_dollars: priceDollars(10_000 - fill.yesPrice),
    is_taker: true,
    created_time: new Date(fill.ts * 1000).toISOString(),
    ts: fill.ts,
  };
}

/** Checks account keys first, then the simulator's own trusted keys. */
export class AccountAwareVerifier extends AuthVerifier {
  constructor(
    private readonly base: AuthVerifier,
    private readonly accounts: SimAccounts,
    private readonly window: number,
  ) {
    super([], undefined, window);
  }

  override verify(headers: IncomingHttpHeaders, method: string, path: string): AuthResult {
    return this.accounts.verify(headers, method, path, this.window) ?? this.base.verify(headers, method, path);
  }
}

/**
 * `sim.accounts`: per-key trading accounts for the user-data manager's tests.
 * @example
 * const alice = await sim.accounts.create();
 * const signer = createKalshiSigner({ keyId: alice.keyId, privateKey: alice.privateKeyPem });
 * sim.accounts.fill(alice.userId); // a fill, an order update and a position change on alice's connections
 * sim.accounts.revoke(alice.keyId); // 401 on alice's next dial
 */
export interface SimAccountController {
  /** A new account with one API key (a generated RSA pair unless `keyPair` is given). */
  create(options?: SimAccountKeyOptions): Promise<SimAccountCredentials>;
  /** A new API key for the account (re-keying); older keys keep working until revoked. */
  addKey(userId: string, options?: SimAccountKeyOptions): Promise<SimAccountCredentials>;
  /** Revoke a key: 401 on its next handshake or REST request (open connections stay open). @returns false for an unknown key. */
  revoke(keyId: string): boolean;
  /** Execute a taker order for the account against the simulator's books; publishes fill, user_order and market_position. */
  fill(userId: string, options?: SimFillOptions): SimFill;
  /** Every fill generated for the account, oldest first. */
  fills(userId: string): readonly SimFill[];
  /** Fault: terminate every open connection of the account (e.g. while fills flow). @returns connections dropped. */
  drop(userId: string): number;
  /** Open connections of the account. */
  openConnections(userId: string): number;
}
