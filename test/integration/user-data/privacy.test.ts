/**
 * Privacy of the user-data manager: across every state an account goes through (open, reconnecting,
 * deactivated by a revoked key, re-keyed, removed, stopped), no key id, private key slice or signature
 * appears in logs, events, errors, health/stats snapshots, messages, metrics output or util.inspect.
 */
import { inspect } from 'node:util';
import { createKalshiSigner } from 'kalshi-ws-pool';
import type { KalshiSigner } from 'kalshi-ws-pool';
import { registerUserDataMetrics } from 'kalshi-ws-pool/prometheus';
import type { SimAccountCredentials } from 'kalshi-ws-pool/testing';
import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { closeAfterEach } from '../../helpers/teardown';
import { startRig } from './user-data-helpers';
import type { UserDataRig } from './user-data-helpers';

let rig: UserDataRig | undefined;
closeAfterEach();

const textOf = (value: unknown): string => {
  const parts = [inspect(value, { depth: Infinity, showHidden: true, getters: true }), String(value)];
  try {
    parts.push(JSON.stringify(value, (_k, v: unknown) => (v instanceof Error ? { message: v.message, stack: v.stack, cause: String(v.cause) } : v)) ?? '');
  } catch (error) {
    parts.push(String(error));
  }
  return parts.join('\n');
};

describe('user data: privacy', () => {
  it('never shows key material in any state', async () => {
    rig = await startRig(['alice', 'bob']);
    const { sim, manager, creds, messages, logs, source } = rig;
    const registry = new Registry();
    registerUserDataMetrics(manager, { registry });
    const signatures: string[] = [];
    // Record every signature the accounts produce by re-keying them with recording signers.
    const recording = (c: SimAccountCredentials): KalshiSigner => {
      const inner = createKalshiSigner({ keyId: c.keyId, privateKey: c.privateKeyPem });
      return Object.freeze({
        headers: async (method: string, path: string, signal?: AbortSignal) => {
          const h = await inner.headers(method, path, signal);
          signatures.push(h['KALSHI-ACCESS-SIGNATURE']);
          return h;
        },
      });
    };
    const events: unknown[] = [];
    for (const name of ['connected', 'disconnected', 'reconnecting', 'deactivated', 'reactivated', 'reconcile', 'backfill', 'degraded', 'error'] as const) {
      manager.on(name, (e: unknown) => events.push(e));
    }
    const snapshots: unknown[] = [];
    const snap = async (): Promise<void> => {
      snapshots.push(manager.health(), manager.stats(), inspect(manager, { depth: 4, showHidden: true }), await registry.metrics());
    };
    for (const id of ['alice', 'bob']) source.set({ id, signer: recording(creds.get(id)!) });
    await vi.waitFor(() => expect(manager.health().connected).toBe(2), { timeout: 10_000 });
    await snap();
    // The drop may abort a backfill still running from the re-key: wait for one that completes after it.
    const aliceBackfills: unknown[] = [];
    manager.on('backfill', (e) => {
      if (e.accountId === 'alice' && e.status === 'ok') aliceBackfills.push(e);
    });
    sim.accounts.fill(creds.get('alice')!.userId);
    sim.accounts.drop(creds.get('alice')!.userId); // reconnecting + backfill
    await snap();
    await vi.waitFor(() => expect(aliceBackfills.length).toBeGreaterThanOrEqual(1), { timeout: 10_000 });
    sim.accounts.revoke(creds.get('bob')!.keyId);
    sim.accounts.drop(creds.get('bob')!.userId);
    await vi.waitFor(() => expect(manager.health().deactivated).toBe(1), { timeout: 10_000 });
    await snap();
    const fresh = await sim.accounts.addKey(creds.get('bob')!.userId);
    source.set({ id: 'bob', signer: recording(fresh) });
    await vi.waitFor(() => expect(manager.health().connected).toBe(2), { timeout: 10_000 });
    await snap();
    source.remove('alice');
    await vi.waitFor(() => expect(manager.health().total).toBe(1), { timeout: 10_000 });
    await snap();
    await rig.close();
    await snap();
    rig = undefined;

    expect(signatures.length).toBeGreaterThan(4);
    const allCreds = [...creds.values(), fresh];
    const needles = [
      ...allCreds.map((c) => c.keyId),
      ...allCreds.flatMap((c) => {
        const body = c.privateKeyPem.replace(/-----[A-Z ]+-----|\s/g, '');
        return [body.slice(64, 96), body.slice(-96, -64)];
      }),
      'PRIVATE KEY-----',
      ...signatures.map((s) => s.slice(10, 50)),
    ];
    const haystacks: [string, string][] = [
      ['logs', textOf(logs)],
      ['events', textOf(events)],
      ['snapshots', textOf(snapshots)],
      ['messages', textOf(messages.map((m) => [m.accountId, m.type, Buffer.from(m.data).toString('utf8')]))],
    ];
    expect(events.some((e) => (e as { reason?: string }).reason === 'unauthorized')).toBe(true);
    for (const [label, text] of haystacks) {
      for (const needle of needles) expect(text.includes(needle), `${label} contains key material`).toBe(false);
    }
    // Account ids are the only identity shown.
    expect(textOf(snapshots)).toContain('account="bob"');
  });
});
