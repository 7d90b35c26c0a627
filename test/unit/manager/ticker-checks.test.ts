/**
 * #19: tickers from a Registry (any implementation, not only the package's) are checked where they enter
 * the manager: invalid ones are dropped with a folded warning, never placed or sent to Kalshi.
 */
import { createConnectionManager } from 'kalshi-ws-pool';
import type { ConnectionManager, LogFields, Logger, MarketChangeListener, Registry } from 'kalshi-ws-pool';
import { createFakeClientFactory } from 'kalshi-ws-pool/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { SMALL_LAYOUT, settled } from './manager-helpers';

let manager: ConnectionManager | undefined;
afterEach(async () => {
  await manager?.stop();
  manager = undefined;
});

/** A hand-written registry that trusts whatever it is given (as a user's own might). */
function naiveRegistry(initial: string[]): Registry & { emit(tickers: string[]): void } {
  const listeners = new Set<MarketChangeListener>();
  return {
    markets: () => initial,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(tickers) {
      for (const l of listeners) l(tickers.map((ticker) => ({ kind: 'added' as const, ticker })));
    },
  };
}

describe('manager ticker checks (#19)', () => {
  it('never places or subscribes a ticker that is too long or not printable ASCII', async () => {
    const warnings: LogFields[] = [];
    const noop = (): void => {};
    const logger: Logger = { debug: noop, info: noop, warn: (fields) => warnings.push(fields), error: noop };
    const fakes = createFakeClientFactory({ client: { snapshots: false } });
    const registry = naiveRegistry(['GOOD-1', 'X'.repeat(200_000), 'BAD\nLINE']);
    manager = createConnectionManager({
      clientFactory: fakes.factory,
      registry,
      logger,
      layout: SMALL_LAYOUT,
      admission: { dialsPerSecond: 10_000, burst: 1_000, jitterMs: 0 },
      commandsPerSecond: 100_000,
      closeTimeoutMs: 100,
    });
    await manager.start();
    registry.emit(['GOOD-2', 'KX\u001b[31mRED', '']);
    await settled(manager);
    const sent = fakes.clients.flatMap((c) => c.commands.filter((cmd) => cmd.cmd === 'subscribe' || cmd.cmd === 'update_subscription').flatMap((cmd) => cmd.tickers));
    expect(sent.sort()).toEqual(['GOOD-1', 'GOOD-2']);
    expect(manager.health()).toMatchObject({ placed: 2, unplaced: 0 });
    // Four drops: a warning for the 1st only (the next comes at the 10th), with the running total.
    expect(warnings.filter((w) => w['droppedTickers'] !== undefined).map((w) => w['droppedTickers'])).toEqual([1]);
  });
});
