import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { newConnectionFaults } from './faults';
import type { ConnectionFaults } from './faults';
import type { StatsCounters } from './stats';
import type { SimChannel, SimSubscription } from './subscription';

/**
 * Server side of one accepted WebSocket connection: its subscriptions, sid counter and the
 * connection-scoped faults. Every outbound text frame goes through {@link send} so silence and
 * counters apply uniformly.
 */
export class SimSession {
  /** Subscriptions by sid. */
  readonly subs = new Map<number, SimSubscription>();
  /** The single subscription of each channel (one sid per channel per connection). */
  readonly byChannel = new Map<SimChannel, SimSubscription>();
  /** Next sid to hand out; sids start at 1 on every connection. */
  nextSid = 1;
  /** False once the socket closed. */
  open = true;
  /** Commands received (parsed or not), excluding those lost to silence. */
  commandsReceived = 0;
  /** Standing faults of this connection (see faults.ts). */
  faults: ConnectionFaults = newConnectionFaults();
  /** Timers owned by this connection (delayed replies); cleared on close. */
  readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** Envelope key order of this connection's frames: alphabetical (`msg,seq,sid,type`) or type-first. */
  readonly alphabetical: boolean;

  constructor(
    /** Simulator-wide connection id, 1.. in accept order. */
    readonly id: number,
    /** The server-side socket. */
    readonly ws: WebSocket,
    /** The raw TCP socket under it (for drain waits). */
    readonly socket: Duplex,
    /** `KALSHI-ACCESS-KEY` the handshake used (never logged). */
    readonly keyId: string,
    private readonly stats: StatsCounters,
    alphabetical: boolean,
  ) {
    this.alphabetical = alphabetical;
  }

  /** True when a frame can be written now (open socket, not silenced). */
  get writable(): boolean {
    return this.open && !this.faults.silenced && this.ws.readyState === 1;
  }

  /** Send one text frame; dropped (returns false) when silenced or closed. */
  send(text: string): boolean {
    if (!this.open || this.faults.silenced || this.ws.readyState !== 1) return false;
    this.ws.send(text);
    this.stats.framesSent++;
    this.stats.bytesSent += text.length;
    return true;
  }

  /** Send one frame on a subscription and count it against the sid. */
  sendOnSub(sub: SimSubscription, text: string): boolean {
    if (!this.send(text)) return false;
    sub.framesSent++;
    return true;
  }

  /** Cancel every timer this connection owns. */
  clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
