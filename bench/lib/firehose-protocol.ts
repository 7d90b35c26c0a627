/**
 * Just enough of the Kalshi command protocol for the bench firehose to serve real clients (the SDK's
 * KalshiClient as well as the raw baselines): `subscribe` (one orderbook sid per connection, one
 * snapshot per market on seq 1..N), `update_subscription` (`ok` with a seq, snapshots for added
 * markets), `unsubscribe` and `list_subscriptions`. Anything else gets error 5. Auth headers are not
 * checked. Deltas then continue the same seq (see bench/firehose-server.ts).
 */

/** Per-connection protocol state. */
export interface ProtocolPeer {
  /** Last seq sent on sid 1 (deltas continue from here). */
  seq: number;
  /** Next sid to hand out. */
  nextSid: number;
  /** Markets on the orderbook sid, and the sid (0 before subscribe). */
  orderbookSid: number;
  readonly markets: Set<string>;
}

interface Command {
  readonly id?: unknown;
  readonly cmd?: unknown;
  readonly params?: {
    readonly channels?: unknown;
    readonly market_ticker?: unknown;
    readonly market_tickers?: unknown;
    readonly action?: unknown;
    readonly sid?: unknown;
    readonly sids?: unknown;
  };
}

/** A fresh peer. */
export function protocolPeer(): ProtocolPeer {
  return { seq: 0, nextSid: 1, orderbookSid: 0, markets: new Set() };
}

function snapshot(sid: number, seq: number, ticker: string, id: number | undefined): string {
  const idPart = id === undefined ? '' : `"id":${id},`;
  return (
    `{${idPart}"type":"orderbook_snapshot","sid":${sid},"seq":${seq},"msg":{"market_ticker":"${ticker}","market_id":"",` +
    `"yes_dollars_fp":[["0.0100","1410.00"],["0.0200","25.00"]],"no_dollars_fp":[["0.9700","100.00"]]}}`
  );
}

function tickersOf(params: Command['params']): string[] {
  const list = params?.market_tickers ?? (params?.market_ticker === undefined ? [] : [params.market_ticker]);
  return Array.isArray(list) ? list.filter((t): t is string => typeof t === 'string') : [];
}

/** Answers one command; returns the frames to send, in order. */
export function answer(peer: ProtocolPeer, text: string): string[] {
  let command: Command;
  try {
    command = JSON.parse(text) as Command;
  } catch {
    return ['{"type":"error","msg":{"code":1,"msg":"Unable to process message"}}'];
  }
  const id = typeof command.id === 'number' ? command.id : 0;
  const out: string[] = [];
  switch (command.cmd) {
    case 'subscribe': {
      const channels = Array.isArray(command.params?.channels) ? (command.params.channels as unknown[]) : [];
      const added: string[] = [];
      for (const channel of channels) {
        if (channel === 'orderbook_delta' && peer.orderbookSid !== 0) {
          for (const t of tickersOf(command.params)) if (!peer.markets.has(t)) added.push(t);
          for (const t of added) peer.markets.add(t);
          out.push(`{"id":${id},"sid":${peer.orderbookSid},"seq":${++peer.seq},"type":"ok","msg":{"market_tickers":${JSON.stringify([...peer.markets])}}}`);
          continue;
        }
        const sid = peer.nextSid++;
        out.push(`{"id":${id},"type":"subscribed","msg":{"channel":${JSON.stringify(channel)},"sid":${sid}}}`);
        if (channel === 'orderbook_delta') {
          peer.orderbookSid = sid;
          for (const t of tickersOf(command.params)) {
            if (peer.markets.has(t)) continue;
            peer.markets.add(t);
            added.push(t);
          }
        }
      }
      for (const t of added) out.push(snapshot(peer.orderbookSid, ++peer.seq, t, undefined));
      return out;
    }
    case 'update_subscription': {
      const action = command.params?.action;
      const tickers = tickersOf(command.params);
      if (action === 'get_snapshot') {
        for (const t of tickers) out.push(snapshot(peer.orderbookSid, ++peer.seq, t, id));
        return out;
      }
      const fresh: string[] = [];
      for (const t of tickers) {
        if (action === 'add_markets' && !peer.markets.has(t)) {
          peer.markets.add(t);
          fresh.push(t);
        } else if (action === 'delete_markets') {
          peer.markets.delete(t);
        }
      }
      out.push(`{"id":${id},"sid":${peer.orderbookSid},"seq":${++peer.seq},"type":"ok","msg":{"market_tickers":${JSON.stringify([...peer.markets])}}}`);
      for (const t of fresh) out.push(snapshot(peer.orderbookSid, ++peer.seq, t, undefined));
      return out;
    }
    case 'unsubscribe': {
      const sids = Array.isArray(command.params?.sids) ? (command.params.sids as unknown[]) : [];
      for (const sid of sids) {
        if (sid === peer.orderbookSid) {
          peer.orderbookSid = 0;
          peer.markets.clear();
        }
        out.push(`{"id":${id},"sid":${JSON.stringify(sid)},"type":"unsubscribed"}`);
      }
      return out;
    }
    case 'list_subscriptions':
      return [
        `{"id":${id},"type":"ok","msg":${peer.orderbookSid === 0 ? '[]' : `[{"channel":"orderbook_delta","sid":${peer.orderbookSid}}]`}}`,
      ];
    default:
      return [`{"id":${id},"type":"error","msg":{"code":5,"msg":"Unknown command"}}`];
  }
}
