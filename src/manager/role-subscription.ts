/**
 * The global subscription of a ticker / trade / lifecycle slot: `subscribe([channel])` without markets,
 * retried with backoff until it holds, and redone after error 10/25 (unsubscribing the lost sid first).
 * @internal
 */
import type { ChannelName } from '../protocol/kalshi/channels';
import type { LiveConnection } from './live-connection';
import { isEndOfGeneration } from './live-connection';
import type { PoolContext } from './pool-context';
import { backoffDelay, commandBackoff, wait } from './pool-context';

/** One global channel subscription per connection generation. @internal */
export class RoleSubscription {
  #sid: number | undefined;
  #running = false;

  constructor(
    private readonly connectionId: number,
    private readonly channel: ChannelName,
    private readonly host: { isLive(generation: number): boolean },
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
    try {
      if (unsubscribeFirst !== undefined) {
        try {
          await ctx.commands.acquire(signal);
          ctx.counters.commandsSent++;
          await client.unsubscribe([unsubscribeFirst], { signal });
        } catch (error) {
          if (isEndOfGeneration(error, generation, this.host)) return;
        }
      }
      while (this.host.isLive(generation) && this.#sid === undefined) {
        try {
          await ctx.commands.acquire(signal);
          ctx.counters.commandsSent++;
          ctx.counters.commandsPending++;
          try {
            const results = await client.subscribe([this.channel], undefined, { signal });
            if (this.host.isLive(generation)) this.#sid = results[0]?.sid;
          } finally {
            ctx.counters.commandsPending--;
          }
        } catch (error) {
          if (isEndOfGeneration(error, generation, this.host)) return;
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
