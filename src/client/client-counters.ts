import type { ClientStats } from './client';

/** Error types counted in {@link ClientStats.errors}. */
export type ClientErrorType = 'timeout' | 'aborted' | 'rejected' | 'protocol' | 'late-reply' | 'socket' | 'stale';

function bump(record: Record<string, number>, key: string, by = 1): void {
  record[key] = (record[key] ?? 0) + by;
}

/** Mutable per-connection counters behind {@link ClientStats}; read through {@link snapshot}. */
export class ClientCounters {
  messagesReceived = 0;
  bytesReceived = 0;
  lastPingAt = 0;
  lastFrameAt = 0;
  private readonly sent: Record<string, number> = {};
  private readonly answered: Record<string, number> = {};
  private readonly latency: Record<string, number> = {};
  private readonly errors: Record<string, number> = {};

  /** A command went out. */
  commandSent(cmd: string): void {
    bump(this.sent, cmd);
  }

  /** A command got its reply (ok or error) after `latencyMs`. */
  commandAnswered(cmd: string, latencyMs: number): void {
    bump(this.answered, cmd);
    bump(this.latency, cmd, Math.max(0, latencyMs));
  }

  /** Count one error of `type`. */
  error(type: ClientErrorType): void {
    bump(this.errors, type);
  }

  /** A plain, detached copy. */
  snapshot(pendingCommands: number): ClientStats {
    return {
      messagesReceived: this.messagesReceived,
      bytesReceived: this.bytesReceived,
      commandsSent: { ...this.sent },
      commandLatencyMsTotal: { ...this.latency },
      commandsAnswered: { ...this.answered },
      errors: { ...this.errors },
      lastPingAt: this.lastPingAt,
      lastFrameAt: this.lastFrameAt,
      pendingCommands,
    };
  }
}
