/**
 * Which connections (and optionally which sid) a fault applies to. Connection ids are the simulator's
 * own, 1.. in accept order. Omitted `connection` means every open connection; omitted `sid` means
 * every sid (for sid-scoped faults). Faults apply to connections open when called, not to later ones.
 */
export interface FaultTarget {
  /** A connection id, or `'all'` (the default). */
  readonly connection?: number | 'all';
  /** A sid on the targeted connection(s); sid-scoped faults only. */
  readonly sid?: number;
}

/** How {@link FaultController.drop} ends a connection. */
export interface DropOptions {
  /** `close`: a clean close frame with `code`; `destroy`: the TCP socket is destroyed, no close frame. */
  readonly mode: 'close' | 'destroy';
  /**
   * Close code (mode `close`): 1000, 1001, 1011 or 3000–4999.
   * @default 1001
   */
  readonly code?: number;
  /**
   * Close reason (mode `close`, at most 123 bytes).
   * @default 'simulator drop'
   */
  readonly reason?: string;
}

/** Kinds of broken frames {@link FaultController.sendMalformed} can send. */
export type MalformedKind = 'not-json' | 'truncated' | 'binary' | 'oversized' | 'unknown-sid';

/** Options of {@link FaultController.sendMalformed}. */
export interface MalformedOptions {
  /**
   * Size of an `oversized` frame in bytes.
   * @default 16777217 (16 MiB + 1)
   */
  readonly bytes?: number;
}

/** A handshake rejection rule for {@link FaultController.rejectHandshakes}. */
export interface RejectHandshakesOptions {
  /** HTTP status to answer instead of upgrading (or instead of the REST reply). */
  readonly status: 401 | 403 | 429 | 500;
  /**
   * How many attempts to reject before the rule expires.
   * @default Infinity (until `clear()`)
   */
  readonly count?: number;
  /**
   * Probability (0–1) that an attempt is rejected; rejected attempts count against `count`.
   * @default 1
   */
  readonly fraction?: number;
  /** Send `Retry-After: <seconds>` with the response (typically with 429). */
  readonly retryAfterSeconds?: number;
  /**
   * Which requests the rule rejects: WebSocket handshakes, REST requests, or both.
   * @default 'ws'
   */
  readonly applyTo?: 'ws' | 'rest' | 'both';
}

/** Options of {@link FaultController.failCommands}. */
export interface FailCommandsOptions {
  /**
   * How many commands to fail.
   * @default Infinity
   */
  readonly count?: number;
  /** Only fail commands with this `cmd` (e.g. `'subscribe'`); default: any command. */
  readonly cmd?: string;
}

/**
 * Fault injection on a running simulator (`simulator.faults`). Each method returns how many
 * connections (or sids, for sid-scoped faults) it affected.
 */
export interface FaultController {
  /**
   * End connections: a clean close frame, or an abrupt socket destroy.
   * @example sim.faults.drop({ connection: 1 }, { mode: 'destroy' })
   */
  drop(target: FaultTarget, options: DropOptions): number;
  /** Go silent: no data, no replies, no pings or pongs, inbound commands lost; the socket stays open (half-open link). */
  silence(target: FaultTarget): number;
  /** Undo {@link silence}. Frames generated meanwhile were lost but consumed their seqs (the client sees a gap). */
  unsilence(target: FaultTarget): number;
  /** Stop heartbeat pings only (data keeps flowing). */
  stopPings(target: FaultTarget): number;
  /** Undo {@link stopPings}. */
  resumePings(target: FaultTarget): number;
  /** The next frame on each targeted sid skips `count` seq numbers (a gap of `count`). */
  skipSeq(target: FaultTarget, count?: number): number;
  /** The next frame on each targeted sid repeats the previous seq. */
  repeatSeq(target: FaultTarget): number;
  /** Handle the next `count` commands `ms` late (their effects and replies both wait). */
  delayReplies(target: FaultTarget, ms: number, count?: number): number;
  /** Swallow the next `count` commands: no effect, no reply. */
  ignoreCommands(target: FaultTarget, count?: number): number;
  /** Answer the next matching commands with a Kalshi error `code` (with their id) and no effect. */
  failCommands(target: FaultTarget, code: number, options?: FailCommandsOptions): number;
  /**
   * Send an unsolicited sid-scoped error (no id, takes a seq). Codes 10 and 25 also drop the
   * subscription server-side, as Kalshi does.
   */
  sidError(target: FaultTarget, code: number): number;
  /** Send one broken frame to each targeted connection. */
  sendMalformed(target: FaultTarget, kind: MalformedKind, options?: MalformedOptions): number;
  /** Reject upcoming handshakes (and/or REST requests) with an HTTP status. */
  rejectHandshakes(options: RejectHandshakesOptions): void;
  /** Change `limits.connectionsPerKey` at run time (beyond it: HTTP 429). */
  setConnectionsPerKey(limit: number): void;
  /**
   * Send an unsolicited snapshot (takes a seq) on orderbook sids: of `ticker` when the sid holds it,
   * else of the sid's next market.
   */
  sendSnapshot(target: FaultTarget, ticker?: string): number;
  /** Remove every standing fault (silence, stopped pings, delays, ignores, failures, pending seq faults, handshake rules). */
  clear(): void;
}
