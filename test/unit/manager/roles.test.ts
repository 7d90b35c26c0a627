import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CommandRunner } from '../../../src/manager/command-runner';
import { GlobalRoleBehaviour } from '../../../src/manager/global-role-behaviour';
import { buildLayout, slotCount } from '../../../src/manager/layout';
import { managerDefaults } from '../../../src/manager/manager-options';
import { OrderbookBehaviour } from '../../../src/manager/orderbook-behaviour';
import type { PoolContext } from '../../../src/manager/pool-context';
import { ROLES, ROLE_TABLE, needsDedupeWindow } from '../../../src/manager/roles';
import { createSlotBehaviour } from '../../../src/manager/slot-behaviour';
import type { BehaviourHost } from '../../../src/manager/slot-behaviour';

/** The few members the behaviours read while being built (no manager, no sockets). */
const ctx = { options: { maxTickersPerCommand: 100 }, logger: console, emit: () => undefined } as unknown as PoolContext;
const host = (role: BehaviourHost['role']): BehaviourHost => ({
  connectionId: 1,
  role,
  live: () => undefined,
  isLive: () => false,
  adopted: () => false,
  resubscribe: () => undefined,
  recycle: () => undefined,
});

describe('role table', () => {
  it('has a row for every role of the layout, with the channel the layout gives its slots', () => {
    const layout = buildLayout(managerDefaults.layout);
    expect(layout).toHaveLength(slotCount(managerDefaults.layout));
    for (const slot of layout) {
      const row = ROLE_TABLE[slot.role];
      expect(row, slot.role).toBeDefined();
      expect(row.role).toBe(slot.role);
      expect(slot.channel).toBe(row.channel);
    }
    // The layout option has one key per row and nothing else.
    expect(Object.keys(managerDefaults.layout).sort()).toEqual(ROLES.map((r) => r.role).sort());
  });

  it('numbers slots in table order', () => {
    const one = Object.fromEntries(ROLES.map((r) => [r.role, 1])) as Record<keyof typeof ROLE_TABLE, number>;
    expect(buildLayout(one).map((s) => [s.connectionId, s.role])).toEqual([
      [1, 'ticker'],
      [2, 'trade'],
      [3, 'lifecycle'],
      [4, 'orderbook'],
    ]);
  });

  it('gives a per-market role the orderbook behaviour and a global role its subscription', () => {
    for (const row of ROLES) {
      const behaviour = createSlotBehaviour(row, host(row.role), ctx, {} as CommandRunner);
      if (row.scope === 'per-market') {
        expect(row.behaviour, row.role).toBe('orderbook');
        expect(behaviour, row.role).toBeInstanceOf(OrderbookBehaviour);
        expect(behaviour.snapshots, row.role).toBeDefined();
      } else {
        expect(row.behaviour, row.role).toBe('global-subscription');
        expect(behaviour, row.role).toBeInstanceOf(GlobalRoleBehaviour);
        expect(behaviour.snapshots, row.role).toBeUndefined();
      }
    }
    expect(ROLE_TABLE.orderbook.scope).toBe('per-market');
  });

  it('lifecycle is the one lifecycle sink; only the global roles are redundant', () => {
    expect(ROLES.filter((r) => r.lifecycleSink).map((r) => r.role)).toEqual(['lifecycle']);
    expect(ROLES.filter((r) => r.redundant).map((r) => r.role)).toEqual(['ticker', 'trade', 'lifecycle']);
  });

  it('keeps a dedupe window for redundant pairs, and for lifecycle even with redundant: all', () => {
    expect(needsDedupeWindow('ticker', 2, 'dedupe')).toBe(true);
    expect(needsDedupeWindow('ticker', 2, 'all')).toBe(false);
    expect(needsDedupeWindow('lifecycle', 2, 'all')).toBe(true);
    expect(needsDedupeWindow('lifecycle', 1, 'dedupe')).toBe(false);
    expect(needsDedupeWindow('orderbook', 144, 'dedupe')).toBe(false);
  });

  it('docs/metrics.md lists the table\'s roles as the `role` label values', () => {
    const text = readFileSync(fileURLToPath(new URL('../../../docs/metrics.md', import.meta.url)), 'utf8');
    const listed = /`role` one of\s+`([a-z|_]+)`/.exec(text)?.[1]?.split('|');
    expect(listed).toEqual(ROLES.map((r) => r.role));
  });

  it('is frozen', () => {
    expect(Object.isFrozen(ROLE_TABLE)).toBe(true);
    expect(Object.isFrozen(ROLE_TABLE.orderbook)).toBe(true);
    expect(Object.isFrozen(ROLES)).toBe(true);
  });
});
