/**
 * The simulator's fault injection. Adding a fault: its method and options on `FaultController`
 * (fault-types.ts), its standing state in {@link ConnectionFaults} or {@link SidFaults} plus the method
 * below that sets it (`clear()` resets every field from the factories, so it needs no change), and the
 * one place that acts on it (command-router.ts for commands, publisher.ts for data, simulator.ts for pings).
 * A new broken frame for `sendMalformed` is one entry of {@link MALFORMED_FRAMES}. See docs/testing.md.
 */
import { ConfigError } from '../../errors';
import type { DropOptions, FailCommandsOptions, FaultController, FaultTarget, MalformedKind, MalformedOptions, RejectHandshakesOptions } from './fault-types';
import type { Rng } from './fixed-point';
import type { MarketUniverse } from './market-universe';
import type { Publisher } from './publisher';
import type { SimSession } from './session';
import type { SimSubscription } from './subscription';

/** A standing `failCommands` fault on a connection. */
export interface FailRule {
  readonly code: number;
  readonly cmd: string | undefined;
  remaining: number;
}

/** The standing faults of one connection, as {@link newConnectionFaults} clears them. */
export interface ConnectionFaults {
  /** Nothing goes out, nothing comes in, no pings or pongs (a half-open link). */
  silenced: boolean;
  /** No heartbeat pings. */
  pingsStopped: boolean;
  /** Delay the handling of the next `delayRemaining` commands by `delayMs`. */
  delayMs: number;
  delayRemaining: number;
  /** Swallow the next N commands without any reply. */
  ignoreRemaining: number;
  /** Answer matching commands with an error code. */
  failRules: FailRule[];
}

/** A connection without faults. */
export function newConnectionFaults(): ConnectionFaults {
  return { silenced: false, pingsStopped: false, delayMs: 0, delayRemaining: 0, ignoreRemaining: 0, failRules: [] };
}

/** The pending faults of one sid, applied to its next seq. */
export interface SidFaults {
  /** The next seq jumps by this many extra numbers. */
  skip: number;
  /** The next frame repeats the previous seq. */
  repeat: boolean;
}

/** A sid without faults. */
export function newSidFaults(): SidFaults {
  return { skip: 0, repeat: false };
}

/** A broken frame of each {@link MalformedKind}: what to send on `session`, `bytes` long when oversized. */
const MALFORMED_FRAMES: Readonly<Record<MalformedKind, (session: SimSession, bytes: number, universe: MarketUniverse) => string | Buffer>> = {
  'not-json': () => 'this is not JSON {',
  truncated: () => '{"type":"orderbook_delta","sid":1,"seq":1,"msg":{"market_ticker":"KXTRUNC',
  binary: () => Buffer.from('{"type":"ticker","sid":1,"msg":{"market_ticker":"KXBINARY"}}'),
  oversized: (_session, bytes) => {
    const start = '{"type":"oversized","msg":{"pad":"';
    const end = '"}}';
    return start + 'x'.repeat(Math.max(0, bytes - start.length - end.length)) + end;
  },
  'unknown-sid': (session, _bytes, universe) => {
    const sid = Math.max(0, ...session.subs.keys(), session.nextSid) + 100;
    const head = universe.randomOpen()?.head ?? '{"market_ticker":"KXUNKNOWN","market_id":""';
    return `{"type":"orderbook_delta","sid":${sid},"seq":1,"msg":${head},"price_dollars":"0.5000","delta_fp":"1.00","side":"yes"}}`;
  },
};

/** A live handshake rejection rule. */
interface RejectRule {
  readonly status: number;
  remaining: number;
  readonly fraction: number;
  readonly retryAfterSeconds: number | undefined;
  readonly applyTo: 'ws' | 'rest' | 'both';
}

/** A rejection decided for one request. */
export interface Rejection {
  readonly status: number;
  readonly retryAfterSeconds: number | undefined;
}

/** What the fault controller needs from the simulator. */
export interface FaultEnv {
  readonly sessions: ReadonlyMap<number, SimSession>;
  readonly publisher: Publisher;
  readonly universe: MarketUniverse;
  readonly rng: Rng;
  connectionsPerKey: number;
}

function positive(option: string, value: number, allowZero = false): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < (allowZero ? 0 : 1)) {
    throw new ConfigError(option, `must be a number >= ${allowZero ? 0 : 1}, got ${String(value)}`);
  }
  return value;
}

/** Implementation of {@link FaultController} over the simulator's sessions. */
export class Faults implements FaultController {
  private rules: RejectRule[] = [];

  constructor(private readonly env: FaultEnv) {}

  private sessions(target: FaultTarget | undefined): SimSession[] {
    const connection = target?.connection ?? 'all';
    const out: SimSession[] = [];
    if (connection === 'all') {
      for (const session of this.env.sessions.values()) if (session.open) out.push(session);
    } else {
      const session = this.env.sessions.get(connection);
      if (session?.open === true) out.push(session);
    }
    return out;
  }

  private subs(target: FaultTarget | undefined): SimSubscription[] {
    const out: SimSubscription[] = [];
    for (const session of this.sessions(target)) {
      if (target?.sid === undefined) out.push(...session.subs.values());
      else {
        const sub = session.subs.get(target.sid);
        if (sub !== undefined) out.push(sub);
      }
    }
    return out;
  }

  private each(target: FaultTarget | undefined, apply: (session: SimSession) => void): number {
    const sessions = this.sessions(target);
    for (const session of sessions) apply(session);
    return sessions.length;
  }

  drop(target: FaultTarget, options: DropOptions): number {
    return this.each(target, (session) => {
      if (options.mode === 'destroy') session.ws.terminate();
      else session.ws.close(options.code ?? 1001, options.reason ?? 'simulator drop');
    });
  }

  silence(target: FaultTarget): number {
    return this.each(target, (s) => (s.faults.silenced = true));
  }

  unsilence(target: FaultTarget): number {
    return this.each(target, (s) => (s.faults.silenced = false));
  }

  stopPings(target: FaultTarget): number {
    return this.each(target, (s) => (s.faults.pingsStopped = true));
  }

  resumePings(target: FaultTarget): number {
    return this.each(target, (s) => (s.faults.pingsStopped = false));
  }

  skipSeq(target: FaultTarget, count = 1): number {
    positive('count', count);
    const subs = this.subs(target).filter((sub) => sub.sequenced);
    for (const sub of subs) sub.faults.skip += count;
    return subs.length;
  }

  repeatSeq(target: FaultTarget): number {
    const subs = this.subs(target).filter((sub) => sub.sequenced);
    for (const sub of subs) sub.faults.repeat = true;
    return subs.length;
  }

  delayReplies(target: FaultTarget, ms: number, count = Number.POSITIVE_INFINITY): number {
    positive('ms', ms, true);
    positive('count', count);
    return this.each(target, (s) => {
      s.faults.delayMs = ms;
      s.faults.delayRemaining = count;
    });
  }

  ignoreCommands(target: FaultTarget, count = Number.POSITIVE_INFINITY): number {
    positive('count', count);
    return this.each(target, (s) => (s.faults.ignoreRemaining = count));
  }

  failCommands(target: FaultTarget, code: number, options: FailCommandsOptions = {}): number {
    positive('code', code);
    const remaining = positive('count', options.count ?? Number.POSITIVE_INFINITY);
    return this.each(target, (s) => s.faults.failRules.push({ code, cmd: options.cmd, remaining }));
  }

  sidError(target: FaultTarget, code: number): number {
    positive('code', code);
    const subs = this.subs(target);
    for (const sub of subs) if (sub.open) this.env.publisher.sidError(sub, code);
    return subs.length;
  }

  sendMalformed(target: FaultTarget, kind: MalformedKind, options: MalformedOptions = {}): number {
    if (!Object.hasOwn(MALFORMED_FRAMES, kind)) throw new ConfigError('kind', `unknown malformed kind ${String(kind)}`);
    const frame = MALFORMED_FRAMES[kind];
    const bytes = positive('bytes', options.bytes ?? 16 * 1024 * 1024 + 1);
    return this.each(target, (session) => {
      if (!session.writable) return;
      const data = frame(session, bytes, this.env.universe);
      if (typeof data === 'string') session.ws.send(data);
      else session.ws.send(data, { binary: true });
    });
  }

  rejectHandshakes(options: RejectHandshakesOptions): void {
    if (![401, 403, 429, 500].includes(options.status)) {
      throw new ConfigError('status', `must be 401, 403, 429 or 500, got ${String(options.status)}`);
    }
    const fraction = options.fraction ?? 1;
    if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) {
      throw new ConfigError('fraction', `must be within 0..1, got ${String(fraction)}`);
    }
    if (options.retryAfterSeconds !== undefined) positive('retryAfterSeconds', options.retryAfterSeconds, true);
    this.rules.push({
      status: options.status,
      remaining: positive('count', options.count ?? Number.POSITIVE_INFINITY),
      fraction,
      retryAfterSeconds: options.retryAfterSeconds,
      applyTo: options.applyTo ?? 'ws',
    });
  }

  setConnectionsPerKey(limit: number): void {
    this.env.connectionsPerKey = positive('limit', limit);
  }

  sendSnapshot(target: FaultTarget, ticker?: string): number {
    let sent = 0;
    for (const sub of this.subs(target)) {
      if (sub.channel !== 'orderbook_delta' || !sub.open) continue;
      const market = ticker === undefined ? sub.nextMarket() : sub.markets.get(ticker);
      if (market !== undefined && this.env.publisher.snapshot(sub, market)) sent++;
    }
    return sent;
  }

  clear(): void {
    this.rules = [];
    for (const session of this.env.sessions.values()) {
      session.faults = newConnectionFaults();
      for (const sub of session.subs.values()) sub.faults = newSidFaults();
    }
  }

  /** Decide whether a request is rejected by a rule (consuming one from its count). */
  takeRejection(kind: 'ws' | 'rest'): Rejection | undefined {
    for (const rule of this.rules) {
      if (rule.remaining <= 0 || (rule.applyTo !== 'both' && rule.applyTo !== kind)) continue;
      if (rule.fraction < 1 && this.env.rng.next() >= rule.fraction) continue;
      rule.remaining--;
      if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
      return { status: rule.status, retryAfterSeconds: rule.retryAfterSeconds };
    }
    return undefined;
  }
}
