/**
 * Per-connection counters that survive reconnects: a slot adds each retired client generation's
 * {@link ClientStats} to running totals, and a snapshot is those totals plus the live client's stats.
 * Computed only when asked (`connectionStats()`), so the frame path does no extra work.
 * @packageDocumentation
 */
import type { ClientStats } from '../client/client';
import type { SlotRole } from './layout';

/**
 * Counters of one pool connection (slot) since the manager was created, across every reconnect: the
 * client counters ({@link ClientStats}, without the live-only `pendingCommands`) summed over every
 * generation, plus who the slot is.
 */
export interface ConnectionStats extends Omit<ClientStats, 'pendingCommands'> {
  /** Pool connection (slot) id, 1-based. */
  readonly connectionId: number;
  /** What the slot carries. */
  readonly role: SlotRole;
  /** True while the slot's connection is open. */
  readonly connected: boolean;
  /** Client generations so far (dials that got as far as building a client), from 0. */
  readonly generation: number;
}

function addInto(target: Record<string, number>, source: Readonly<Record<string, number>>): void {
  for (const key of Object.keys(source)) target[key] = (target[key] ?? 0) + (source[key] ?? 0);
}

function sum(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>> | undefined): Record<string, number> {
  const out: Record<string, number> = { ...a };
  if (b !== undefined) addInto(out, b);
  return out;
}

/**
 * Totals of a slot's retired client generations.
 * @internal
 */
export class RetiredClientTotals {
  #messages = 0;
  #bytes = 0;
  #lastPingAt = 0;
  #lastFrameAt = 0;
  readonly #sent: Record<string, number> = {};
  readonly #answered: Record<string, number> = {};
  readonly #latency: Record<string, number> = {};
  readonly #errors: Record<string, number> = {};

  /** Add a generation that ended. Call exactly once per client. */
  retire(stats: ClientStats): void {
    this.#messages += stats.messagesReceived;
    this.#bytes += stats.bytesReceived;
    this.#lastPingAt = Math.max(this.#lastPingAt, stats.lastPingAt);
    this.#lastFrameAt = Math.max(this.#lastFrameAt, stats.lastFrameAt);
    addInto(this.#sent, stats.commandsSent);
    addInto(this.#answered, stats.commandsAnswered);
    addInto(this.#latency, stats.commandLatencyMsTotal);
    addInto(this.#errors, stats.errors);
  }

  /** Retired totals plus the live generation's stats (if any), as a detached snapshot. */
  snapshot(
    slot: { readonly connectionId: number; readonly role: SlotRole; readonly connected: boolean; readonly generation: number },
    live: ClientStats | undefined,
  ): ConnectionStats {
    return {
      connectionId: slot.connectionId,
      role: slot.role,
      connected: slot.connected,
      generation: slot.generation,
      messagesReceived: this.#messages + (live?.messagesReceived ?? 0),
      bytesReceived: this.#bytes + (live?.bytesReceived ?? 0),
      commandsSent: sum(this.#sent, live?.commandsSent),
      commandsAnswered: sum(this.#answered, live?.commandsAnswered),
      commandLatencyMsTotal: sum(this.#latency, live?.commandLatencyMsTotal),
      errors: sum(this.#errors, live?.errors),
      lastPingAt: Math.max(this.#lastPingAt, live?.lastPingAt ?? 0),
      lastFrameAt: Math.max(this.#lastFrameAt, live?.lastFrameAt ?? 0),
    };
  }
}
