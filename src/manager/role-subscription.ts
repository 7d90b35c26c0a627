/**
 * The global subscription of a ticker / trade / lifecycle slot: `subscribe([channel])` without markets,
 * retried with backoff until it holds, and redone after error 10/25 (unsubscribing the lost sid first).
 * @internal
 */
import { CommandTimeoutError } from '../errors';
import type { ChannelName } from '../protocol/kalshi/channels';
import type { LiveConnection } from './live-connection';
import { isEndOfGeneration } from './live-connection';
import type { PoolContext } from './pool-context';
import { backoffDelay, commandBackoff, wait } from './pool-context';

/** What a {@link RoleSubscription} sees of its slot. @internal */
export interface RoleHost {
  /** Whether `generation` is still the open one. */
  isLive(generation: number): boolean;
  /** A subscribe reply gave `sid`: false when the sid was lost already (error 10/25 before the reply settled). */
  adopted(sid: number): boolean;
}

/** One global channel subscription per connection generation. @internal */
export class RoleSubscription {
  #sid: number | undefined;
  #running = false;

  constructor(
    private readonly connectionId: number,
    private readonly channel: ChannelName,
    private readonly host: RoleHost,
    private readonly ctx: PoolContext,
  ) {}

  /** The sid held now. */
  get sid(): number | undefined {
    return this.#sid;
  }

  /** New generation: nothing held. */
  reset(): void {
    this.#sid = undefined;
  }

  /** `sid` was lost (error 10/25): subscribe again on `live`, unsubscribing it first. */
  lost(sid: number, live: LiveConnection): void {
    if (sid !== this.#sid) return;
    this.#sid = undefined;
    void this.subscribe(live, sid);
  }

  /** Subscribe the channel until it holds or the generation ends. One run at a time. */
  async subscribe(live: LiveConnection, unsubscribeFirst?: number): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    const { ctx } = this;
    const { client, generation, signal } = live;
    let failures = 0;
    let unsubscribe = unsubscribeFirst;
    try {
      while (this.host.isLive(generation) && this.#sid === undefined) {
        // A command sent while reads are paused cannot see its reply: wait for the consumer first.
        await ctx.whenResumed(signal);
        const epoch = ctx.pauseEpoch;
        if (unsubscribe !== undefined) {
          const sid = unsubscribe;
          unsubscribe = undefined;
          try {
            await ctx.commands.acquire(signal);
            ctx.counters.commandsSent++;
            await client.unsubscribe([sid], { signal });
          } catch (error) {
            if (isEndOfGeneration(error, generation, this.host)) return;
          }
          continue;
        }
        try {
          await ctx.commands.acquire(signal);
          ctx.counters.commandsSent++;
          ctx.counters.commandsPending++;
          try {
            const results = await client.subscribe([this.channel], undefined, { signal });
            const sid = results[0]?.sid;
            if (!this.host.isLive(generation)) return;
            // Error 10/25 on the new sid before this reply settled: the slot could not tell us then.
            if (sid !== undefined && !this.host.adopted(sid)) unsubscribe = sid;
            else this.#sid = sid;
          } finally {
            ctx.counters.commandsPending--;
          }
        } catch (error) {
          if (isEndOfGeneration(error, generation, this.host)) return;
          // A timeout while reads were paused is the consumer's slowness, not a failure: just send again.
          if (error instanceof CommandTimeoutError && ctx.pausedSince(epoch)) continue;
          ctx.counters.commandsFailed++;
          failures++;
          ctx.logger.warn({ connectionId: this.connectionId, channel: this.channel, err: error }, 'role subscribe failed; retrying');
          if (failures === 3) ctx.emit('error', { connectionId: this.connectionId, error: error as Error, fatal: false });
          await wait(ctx.clock, backoffDelay(failures, commandBackoff(ctx.options)), signal);
        }
      }
    } catch {
      // the backoff wait was aborted: the generation ended
    } finally {
      this.#running = false;
    }
  }
}
