/**
 * Wraps the command methods of one client generation: each command's round trip is timed on the pool
 * clock and reported once as a `command` event (the Prometheus adapter builds its duration histogram
 * from these), and rejections are logged. Commands are rare next to data frames, so this costs nothing
 * on the frame path.
 * @internal
 */
import type { Client, CommandOptions, SubscribeOptions, SubscribeResult, SubscriptionInfo, UnsubscribeResult, UpdateResult } from '../client/client';
import { CommandRejectedError, CommandTimeoutError } from '../errors';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { ChannelName, UpdateAction } from '../protocol/kalshi/channels';
import type { SlotRole } from './layout';
import type { CommandName, CommandOutcome } from './manager-events';
import type { ManagerCounters } from './manager-stats';
import type { EmitEvent } from './pool-context';

/** The command half of a {@link Client}: what the slot's command loops use. @internal */
export type CommandClient = Pick<Client, 'subscribe' | 'unsubscribe' | 'updateSubscription' | 'listSubscriptions'>;

/** What the wrapper needs from the pool. @internal */
export interface CommandTimingContext {
  readonly clock: Pick<Clock, 'now'>;
  /** `stats().commands`: counted here, beside the `command` event, so the two cannot disagree. */
  readonly counters: CommandCounters;
  /** Rejections are logged at warn. */
  readonly logger: Pick<Logger, 'warn'>;
  readonly emit: EmitEvent;
}

/** The command counters of `stats()`. @internal */
export type CommandCounters = Pick<ManagerCounters, 'commandsSent' | 'commandsPending' | 'commandsFailed'>;

function outcomeOf(error: unknown): CommandOutcome {
  if (error instanceof CommandRejectedError) return 'rejected';
  if (error instanceof CommandTimeoutError) return 'timeout';
  return 'failed';
}

/** Times and reports every command of one client generation. @internal */
export class TimedCommands implements CommandClient {
  constructor(
    private readonly client: CommandClient,
    private readonly connectionId: number,
    private readonly role: SlotRole,
    private readonly ctx: CommandTimingContext,
  ) {}

  subscribe(channels: readonly ChannelName[], marketTickers?: readonly string[], options?: SubscribeOptions): Promise<SubscribeResult[]> {
    return this.#time('subscribe', undefined, this.ctx.clock.now(), this.client.subscribe(channels, marketTickers, options));
  }

  unsubscribe(sids: readonly number[], options?: CommandOptions): Promise<UnsubscribeResult> {
    return this.#time('unsubscribe', undefined, this.ctx.clock.now(), this.client.unsubscribe(sids, options));
  }

  updateSubscription(sid: number, action: UpdateAction, marketTickers: readonly string[], options?: CommandOptions): Promise<UpdateResult> {
    return this.#time('update_subscription', action, this.ctx.clock.now(), this.client.updateSubscription(sid, action, marketTickers, options));
  }

  listSubscriptions(options?: CommandOptions): Promise<SubscriptionInfo[]> {
    return this.#time('list_subscriptions', undefined, this.ctx.clock.now(), this.client.listSubscriptions(options));
  }

  async #time<T>(cmd: CommandName, action: UpdateAction | undefined, startedAt: number, pending: Promise<T>): Promise<T> {
    const { counters } = this.ctx;
    counters.commandsSent++;
    counters.commandsPending++;
    try {
      const value = await pending;
      this.#report(cmd, action, startedAt, 'ok', undefined);
      return value;
    } catch (error) {
      const outcome = outcomeOf(error);
      const kalshiCode = error instanceof CommandRejectedError ? error.kalshiCode : undefined;
      if (error instanceof CommandRejectedError) {
        this.ctx.logger.warn(
          { connectionId: this.connectionId, role: this.role, cmd, action, sid: error.sid, code: kalshiCode },
          'command rejected',
        );
      }
      counters.commandsFailed++;
      this.#report(cmd, action, startedAt, outcome, kalshiCode);
      throw error;
    } finally {
      counters.commandsPending--;
    }
  }

  #report(cmd: CommandName, action: UpdateAction | undefined, startedAt: number, outcome: CommandOutcome, kalshiCode: number | undefined): void {
    const durationMs = Math.max(0, this.ctx.clock.now() - startedAt);
    this.ctx.emit('command', { connectionId: this.connectionId, role: this.role, cmd, action, outcome, durationMs, kalshiCode });
  }
}
