import { createMemoryRegistry } from 'kalshi-ws-pool';
import type { MarketChange, RawMessage } from 'kalshi-ws-pool';
import { describe, expect, it } from 'vitest';

function lifecycle(msg: object, type = 'market_lifecycle_v2'): RawMessage {
  const data = new TextEncoder().encode(JSON.stringify({ type, sid: 1, seq: 1, msg }));
  return { data, connectionId: 5, receivedAt: 0, type, sid: 1, seq: 1, seqGap: false, gapSize: 0 };
}

describe('createMemoryRegistry', () => {
  it('holds the initial markets and reports only real changes', () => {
    const registry = createMemoryRegistry(['A', 'B']);
    const seen: MarketChange[][] = [];
    const stop = registry.onChange((changes) => seen.push([...changes]));
    registry.add('B', 'C');
    registry.remove('A', 'Z');
    registry.add();
    expect(seen).toEqual([[{ kind: 'added', ticker: 'C' }], [{ kind: 'removed', ticker: 'A' }]]);
    expect(registry.markets()).toEqual(['B', 'C']);
    expect([registry.size, registry.has('C'), registry.has('A')]).toEqual([2, true, false]);
    stop();
    registry.add('D');
    expect(seen).toHaveLength(2);
  });

  it('follows lifecycle frames: created/activated add, deactivated/determined/settled remove', () => {
    const registry = createMemoryRegistry(['OLD']);
    registry.onLifecycle(lifecycle({ market_ticker: 'NEW', event_type: 'created' }));
    registry.onLifecycle(lifecycle({ market_ticker: 'NEW2', event_type: 'activated' }));
    registry.onLifecycle(lifecycle({ market_ticker: 'OLD', event_type: 'determined' }));
    registry.onLifecycle(lifecycle({ market_ticker: 'NEW2', event_type: 'close_date_updated' }));
    expect(registry.markets().sort()).toEqual(['NEW', 'NEW2']);
    for (const event of ['deactivated', 'settled']) registry.onLifecycle(lifecycle({ market_ticker: event === 'settled' ? 'NEW' : 'NEW2', event_type: event }));
    expect(registry.markets()).toEqual([]);
  });

  it('ignores event_lifecycle and unreadable frames; msg text with braces is fine', () => {
    const registry = createMemoryRegistry();
    registry.onLifecycle(lifecycle({ event_ticker: 'EV', event_type: 'created' }, 'event_lifecycle'));
    registry.onLifecycle({ ...lifecycle({}), data: new TextEncoder().encode('{"type":"market_lifecycle_v2","msg":') });
    registry.onLifecycle(lifecycle({ market_ticker: 'X', event_type: 'activated', rules: 'a "}" and {"sid":9}' }));
    expect(registry.markets()).toEqual(['X']);
  });

  it('drops and counts tickers that are too long or outside A-Z a-z 0-9 - . _ (#19)', () => {
    const registry = createMemoryRegistry(['OK-1', 'bad one']);
    const seen: MarketChange[][] = [];
    registry.onChange((changes) => seen.push([...changes]));
    registry.add('OK-2', 'K'.repeat(129), 'KX\u001b[2J');
    registry.onLifecycle(lifecycle({ market_ticker: 'L'.repeat(10_000), event_type: 'created' }));
    registry.onLifecycle(lifecycle({ market_ticker: 'LIFE-1', event_type: 'created' }));
    expect(registry.markets().sort()).toEqual(['LIFE-1', 'OK-1', 'OK-2']);
    expect(seen).toEqual([[{ kind: 'added', ticker: 'OK-2' }], [{ kind: 'added', ticker: 'LIFE-1' }]]);
    expect(registry.droppedTickers).toBe(4);
    registry.add('K'.repeat(128));
    expect(registry.droppedTickers).toBe(4);
  });
});
