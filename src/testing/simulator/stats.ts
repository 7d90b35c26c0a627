import type { SimSession } from './session';

/** A plain snapshot of the simulator's counters (see `simulator.stats()`). */
export interface SimulatorStats {
  /** Connections currently open. */
  readonly connectionsOpen: number;
  /** Connections accepted since start. */
  readonly connectionsTotal: number;
  /** Handshakes upgraded to a WebSocket. */
  readonly handshakesAccepted: number;
  /** Handshakes refused, by HTTP status (401, 403, 404, 429, 500…). */
  readonly handshakesRejected: { readonly [status: number]: number };
  /** Commands received, by `cmd` (`'<invalid>'` for frames that were not a JSON object, `'<none>'` without cmd). */
  readonly commandsReceived: { readonly [cmd: string]: number };
  /** Commands swallowed by the `ignoreCommands` fault. */
  readonly commandsIgnored: number;
  /** Commands that arrived on a silenced connection (never seen by the "server"). */
  readonly commandsLost: number;
  /** Text frames sent (data and control, every connection). */
  readonly framesSent: number;
  /** Characters (= bytes: frames are ASCII) of those frames. */
  readonly bytesSent: number;
  /** Frames sent per sid, keyed `${connectionId}:${sid}`, including closed sids. */
  readonly framesSentBySid: { readonly [connectionAndSid: string]: number };
  /** Open subscriptions across all connections. */
  readonly subscriptions: number;
  /** Markets held by open filtered subscriptions, summed (a market on two sids counts twice). */
  readonly marketsSubscribed: number;
  /** Error frames sent, by Kalshi code. */
  readonly errorsSent: { readonly [kalshiCode: number]: number };
  /** Heartbeat pings sent. */
  readonly pingsSent: number;
  /** REST requests answered (any status). */
  readonly restRequests: number;
  /** Open markets in the universe. */
  readonly marketsOpen: number;
}

function bump<K extends string | number>(table: Record<K, number>, key: K, by = 1): void {
  table[key] = (table[key] ?? 0) + by;
}

/** Mutable counters behind {@link SimulatorStats}; the hot path increments plain fields. */
export class StatsCounters {
  connectionsTotal = 0;
  handshakesAccepted = 0;
  readonly handshakesRejected: Record<number, number> = {};
  readonly commandsReceived: Record<string, number> = {};
  commandsIgnored = 0;
  commandsLost = 0;
  framesSent = 0;
  bytesSent = 0;
  readonly errorsSent: Record<number, number> = {};
  pingsSent = 0;
  restRequests = 0;
  /** Frames of sids that no longer exist, keyed `${conn}:${sid}`. */
  private readonly retiredSidFrames: Record<string, number> = {};

  /** Count a refused handshake. */
  rejected(status: number): void {
    bump(this.handshakesRejected, status);
  }

  /** Count a received command by name. */
  command(cmd: string): void {
    bump(this.commandsReceived, cmd);
  }

  /** Count an error frame sent. */
  error(code: number): void {
    bump(this.errorsSent, code);
  }

  /** Keep the frame count of a sid that is going away. */
  retireSid(connectionId: number, sid: number, frames: number): void {
    bump(this.retiredSidFrames, `${connectionId}:${sid}`, frames);
  }

  /** A snapshot, combining the counters with the live sessions. */
  snapshot(sessions: Iterable<SimSession>, marketsOpen: number): SimulatorStats {
    const framesSentBySid: Record<string, number> = { ...this.retiredSidFrames };
    let connectionsOpen = 0;
    let subscriptions = 0;
    let marketsSubscribed = 0;
    for (const session of sessions) {
      if (session.open) connectionsOpen++;
      for (const sub of session.subs.values()) {
        subscriptions++;
        marketsSubscribed += sub.markets.size;
        framesSentBySid[`${session.id}:${sub.sid}`] = sub.framesSent;
      }
    }
    return {
      connectionsOpen,
      connectionsTotal: this.connectionsTotal,
      handshakesAccepted: this.handshakesAccepted,
      handshakesRejected: { ...this.handshakesRejected },
      commandsReceived: { ...this.commandsReceived },
      commandsIgnored: this.commandsIgnored,
      commandsLost: this.commandsLost,
      framesSent: this.framesSent,
      bytesSent: this.bytesSent,
      framesSentBySid,
      subscriptions,
      marketsSubscribed,
      errorsSent: { ...this.errorsSent },
      pingsSent: this.pingsSent,
      restRequests: this.restRequests,
      marketsOpen,
    };
  }
}
