import { InvalidCommandError } from '../../errors';
import { Channel } from './channels';
import type { ChannelName, UpdateAction } from './channels';

/** A command as sent to Kalshi: `{"id":…,"cmd":…,"params":{…}}`. */
export interface KalshiCommand {
  /** Command id, an integer >= 1 unique on its connection. */
  readonly id: number;
  /** `subscribe`, `unsubscribe`, `update_subscription` or `list_subscriptions`. */
  readonly cmd: string;
  /** Command parameters, in Kalshi's snake_case. */
  readonly params: Record<string, unknown>;
}

/** Options of {@link buildSubscribe}. Each is sent only when given. */
export interface SubscribeCommandOptions {
  /** `ticker`: send the current ticker at once (`send_initial_snapshot`). */
  readonly sendInitialSnapshot?: boolean;
  /** `ticker`: skip the ticker acknowledgement (`skip_ticker_ack`). */
  readonly skipTickerAck?: boolean;
  /** Orderbook: express the no side in yes prices (`use_yes_price`). */
  readonly useYesPrice?: boolean;
}

const UPDATE_ACTIONS: ReadonlySet<string> = new Set<UpdateAction>(['add_markets', 'delete_markets', 'get_snapshot']);

function checkId(id: number): void {
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new InvalidCommandError(`command id must be an integer >= 1, got ${String(id)}`);
  }
}

function checkSid(sid: number, what: string): void {
  if (!Number.isSafeInteger(sid) || sid < 1) {
    throw new InvalidCommandError(`${what}: sid must be an integer >= 1, got ${String(sid)}`);
  }
}

/** Checks a ticker list and returns a copy (callers may mutate theirs after building). */
function checkTickers(tickers: readonly string[], what: string): string[] {
  if (!Array.isArray(tickers)) throw new InvalidCommandError(`${what}: marketTickers must be an array`);
  if (tickers.length === 0) throw new InvalidCommandError(`${what}: marketTickers must not be empty`);
  for (const [index, ticker] of tickers.entries()) {
    if (typeof ticker !== 'string' || ticker.trim() === '') {
      throw new InvalidCommandError(`${what}: marketTickers[${index}] must be a non-empty string`);
    }
  }
  return [...tickers];
}

function command(id: number, cmd: string, params: Record<string, unknown>): KalshiCommand {
  return { id, cmd, params };
}

/**
 * Builds a `subscribe` command. Markets go in `market_tickers` (array form); omit them to subscribe
 * to every market (`ticker`, `trade`, `market_lifecycle_v2`).
 * @throws {InvalidCommandError} id < 1; empty, duplicate or blank channels; `orderbook_delta` without
 * markets; `market_lifecycle_v2` with markets; an empty list or a blank ticker.
 * @example
 * encodeCommand(buildSubscribe(1, ['orderbook_delta'], ['KXBTC-25']))
 * // '{"id":1,"cmd":"subscribe","params":{"channels":["orderbook_delta"],"market_tickers":["KXBTC-25"]}}'
 */
export function buildSubscribe(
  id: number,
  channels: readonly ChannelName[],
  marketTickers?: readonly string[],
  options: SubscribeCommandOptions = {},
): KalshiCommand {
  checkId(id);
  if (!Array.isArray(channels) || channels.length === 0) {
    throw new InvalidCommandError('subscribe: at least one channel is required');
  }
  const seen = new Set<string>();
  for (const channel of channels) {
    if (typeof channel !== 'string' || channel.trim() === '') {
      throw new InvalidCommandError('subscribe: channel names must be non-empty strings');
    }
    if (seen.has(channel)) throw new InvalidCommandError(`subscribe: channel ${channel} is listed twice`);
    seen.add(channel);
  }
  if (marketTickers === undefined && seen.has(Channel.orderbookDelta)) {
    throw new InvalidCommandError('subscribe: orderbook_delta requires marketTickers');
  }
  if (marketTickers !== undefined && seen.has(Channel.marketLifecycle)) {
    throw new InvalidCommandError('subscribe: market_lifecycle_v2 does not take marketTickers');
  }
  const params: Record<string, unknown> = { channels: [...channels] };
  // An empty list is rejected rather than sent: to Kalshi no filter means "every market".
  if (marketTickers !== undefined) params['market_tickers'] = checkTickers(marketTickers, 'subscribe');
  const flags = [
    ['sendInitialSnapshot', 'send_initial_snapshot'],
    ['skipTickerAck', 'skip_ticker_ack'],
    ['useYesPrice', 'use_yes_price'],
  ] as const;
  for (const [option, param] of flags) {
    const value = options[option];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw new InvalidCommandError(`subscribe: ${option} must be a boolean`);
    params[param] = value;
  }
  return command(id, 'subscribe', params);
}

/**
 * Builds an `unsubscribe` command for the given sids.
 * @throws {InvalidCommandError} id < 1, no sids, or a sid that is not an integer >= 1.
 * @example
 * buildUnsubscribe(4, [2]) // { id: 4, cmd: 'unsubscribe', params: { sids: [2] } }
 */
export function buildUnsubscribe(id: number, sids: readonly number[]): KalshiCommand {
  checkId(id);
  if (!Array.isArray(sids) || sids.length === 0) throw new InvalidCommandError('unsubscribe: at least one sid is required');
  for (const sid of sids) checkSid(sid, 'unsubscribe');
  return command(id, 'unsubscribe', { sids: [...sids] });
}

/**
 * Builds an `update_subscription` command on exactly one sid: `add_markets`, `delete_markets`
 * or `get_snapshot` (orderbook sids only), each with a non-empty market list.
 * @throws {InvalidCommandError} id or sid < 1, unknown action, empty list or blank ticker.
 * @example
 * buildUpdateSubscription(2, 1, 'add_markets', ['KXBTC-25'])
 * // { id: 2, cmd: 'update_subscription', params: { sids: [1], action: 'add_markets', market_tickers: ['KXBTC-25'] } }
 */
export function buildUpdateSubscription(
  id: number,
  sid: number,
  action: UpdateAction,
  marketTickers: readonly string[],
): KalshiCommand {
  checkId(id);
  checkSid(sid, 'update_subscription');
  if (!UPDATE_ACTIONS.has(action)) {
    throw new InvalidCommandError(`update_subscription: unknown action ${String(action)} (use add_markets, delete_markets or get_snapshot)`);
  }
  const tickers = checkTickers(marketTickers, `update_subscription ${action}`);
  return command(id, 'update_subscription', { sids: [sid], action, market_tickers: tickers });
}

/**
 * Like {@link buildUpdateSubscription} but taking a sid list, which must hold exactly one sid
 * (Kalshi answers error 12 otherwise).
 * @throws {InvalidCommandError} when `sids.length !== 1`, and as {@link buildUpdateSubscription}.
 */
export function buildUpdateSubscriptionFromSids(
  id: number,
  sids: readonly number[],
  action: UpdateAction,
  marketTickers: readonly string[],
): KalshiCommand {
  if (!Array.isArray(sids) || sids.length !== 1) {
    throw new InvalidCommandError(`update_subscription: exactly one sid is required, got ${Array.isArray(sids) ? sids.length : 0}`);
  }
  return buildUpdateSubscription(id, sids[0]!, action, marketTickers);
}

/**
 * Builds a `list_subscriptions` command.
 * @throws {InvalidCommandError} id < 1.
 */
export function buildListSubscriptions(id: number): KalshiCommand {
  checkId(id);
  return command(id, 'list_subscriptions', {});
}

/**
 * The command's JSON text, keys in Kalshi's order (`id`, `cmd`, `params`).
 * @example
 * socket.send(encodeCommand(buildListSubscriptions(3))) // '{"id":3,"cmd":"list_subscriptions","params":{}}'
 */
export function encodeCommand(command: KalshiCommand): string {
  return JSON.stringify({ id: command.id, cmd: command.cmd, params: command.params });
}
