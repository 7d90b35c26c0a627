/**
 * The behaviour of a global role (ticker, trade, lifecycle): one `subscribe([channel])` without markets
 * per connection generation, redone when Kalshi says the sid is gone. No markets, no gap repair.
 * @internal
 */
import type { ChannelName } from '../protocol/kalshi/channels';
import type { CommandRunner } from './command-runner';
import type { LiveConnection } from './live-connection';
import type { HealthCheckFailure } from './manager-events';
import type { SlotState } from './manager-stats';
import { RoleSubscription } from './role-subscription';
import type { RoleSubscriptionPorts } from './role-subscription';
import type { BehaviourHost, SlotBehaviour } from './slot-behaviour';
import { SlotBook } from './slot-book';

/** A slot that carries every message of one channel. @internal */
export class GlobalRoleBehaviour implements SlotBehaviour {
  /** Never filled: placement only covers per-market roles. */
  readonly book = new SlotBook();
  readonly snapshots = undefined;
  readonly markets = 0;
  readonly placed = 0;
  readonly #subscription: RoleSubscription;

  constructor(channel: ChannelName, host: BehaviourHost, ports: RoleSubscriptionPorts, runner: CommandRunner) {
    this.#subscription = new RoleSubscription(host.connectionId, channel, host, ports, runner);
  }

  get sid(): number | undefined {
    return this.#subscription.sid;
  }

  opened(): void {
    this.#subscription.reset();
  }

  ended(): void {
    this.#subscription.reset();
  }

  restore(live: LiveConnection): void {
    void this.#subscription.subscribe(live);
  }

  flush(): void {
    // no markets to send
  }

  clearBook(): void {
    // no markets to forget
  }

  gap(): void {
    // a global sid is not repaired: the next message simply carries on
  }

  lost(sid: number, live: LiveConnection): void {
    this.#subscription.lost(sid, live);
  }

  onAdopted(): void {
    // nothing deferred on a global subscription
  }

  gaveUp(): void {
    // nothing placed here to move elsewhere
  }

  subscriptionFailure(): HealthCheckFailure | undefined {
    return this.#subscription.sid === undefined ? 'unsubscribed' : undefined;
  }

  notReadyReason(state: SlotState): string | undefined {
    if (state !== 'open') return state;
    return this.#subscription.sid === undefined ? 'subscribing' : undefined;
  }

  repairIfSilent(): undefined {
    return undefined;
  }
}
