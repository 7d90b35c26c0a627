/**
 * The manager's frame path (client frame -> envelope -> seq check -> dedupe -> queue) fed hostile
 * frames through a FakeClient, each frame read by the real `FrameHandler` of KalshiClient (the same
 * class, not a copy of its routing). Checked against a reference model of the sequence rules in
 * docs/decisions/manager-api.md: never throws, and the drop, gap and delivery counters are exactly what
 * the model says.
 */
import fc from 'fast-check';
import { createConnectionManager, systemClock } from 'kalshi-ws-pool';
import { scanEnvelope } from 'kalshi-ws-pool/protocol';
import type { ConnectionManager, LayoutOptions, RawMessage, Registry } from 'kalshi-ws-pool';
import { createFakeClientFactory } from 'kalshi-ws-pool/testing';
import type { FakeClient } from 'kalshi-ws-pool/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClientCounters } from '../../../src/client/client-counters';
import type { ClientEventEmit } from '../../../src/client/client-emitter';
import { FrameHandler } from '../../../src/client/frame-handler';
import { PendingCommands } from '../../../src/client/pending-commands';
import { hostileBytes } from './fuzz-helpers';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A registry that never changes (lifecycle frames in the fuzz must not move markets). */
const fixedRegistry = (markets: string[]): Registry => ({ markets: () => Promise.resolve(markets), onChange: () => () => {} });

type Outcome = 'frame' | 'protocol' | 'reply';
interface Reader {
  /** Feed one inbound text frame to the real FrameHandler; returns what it emitted. */
  read(bytes: Uint8Array): Outcome;
  /** Sid-scoped errors that end a subscription (7, 10, 25), withheld from the manager (see below). */
  terminal: number;
  /** Sids announced by `subscribed` replies since the last read (the manager opens them). */
  readonly subscribed: number[];
}

/**
 * The real `FrameHandler`, reporting to the fake client's listeners (the manager's). One exception:
 * `subscriptionError` events that end the subscription are counted and withheld, because the manager
 * then retires the sid the reference model follows; that reaction has its own tests
 * (test/unit/manager/batch-errors.test.ts). Every other event reaches the manager unchanged.
 */
function reader(client: FakeClient): Reader {
  let outcome: Outcome = 'reply';
  const state: Reader = {
    terminal: 0,
    subscribed: [],
    read(bytes) {
      outcome = 'reply';
      state.subscribed.length = 0;
      handler.handle(bytes, false, Date.now()); // must not throw
      return outcome;
    },
  };
  const events = {
    emit(event: string, ...args: unknown[]): boolean {
      if (event === 'protocolError') outcome = 'protocol';
      else if (event === 'subscribed') state.subscribed.push((args[0] as { sid: number }).sid);
      else if (event === 'subscriptionError') {
        const { error } = args[0] as { error: { classification: string; kalshiCode: number } };
        if (error.classification === 'terminal-subscription' || error.kalshiCode === 7) {
          state.terminal++;
          return false;
        }
      }
      return (client.emit as (event: string, ...args: unknown[]) => boolean)(event, ...args);
    },
  } as ClientEventEmit;
  const handler = new FrameHandler(
    events,
    new PendingCommands(systemClock, { dropped: () => {} }, { connectionId: client.connectionId }),
    new ClientCounters(),
    { connectionId: client.connectionId },
    () => Date.now(),
  );
  // Frames reach the manager through the fake's sink, which the manager set when it attached.
  handler.sink = (data, receivedAt, scan) => {
    outcome = 'frame';
    client.frameSink?.(data, receivedAt, scan);
  };
  return state;
}

/** The sequence rules, written out independently of SlotFrames/SeqTracker. */
class Model {
  readonly last = new Map<number, number>([[1, 0]]);
  readonly pending = new Map<number, number>();
  queued = 0;
  duplicates = 0;
  unknown = 0;
  gaps = 0;
  gapMessages = 0;
  readonly flags: number[] = [];
  /** Delivered-frame payloads (`msg` text) with their counts; `-` for frames without msg. */
  readonly payloads = new Map<string, number>();

  /**
   * A `subscribed` reply opens its sid, expecting seq 1 again, even when no subscribe is pending (the
   * client announces it before matching the command, so the first snapshot is never unknown).
   */
  subscribed(sid: number): void {
    this.last.set(sid, 0);
  }

  frame(bytes: Uint8Array): void {
    const scan = scanEnvelope(bytes);
    const { sid, seq } = scan;
    const type = scan.type ?? '';
    const control = type === 'ok' || type === 'error' || type === 'unsubscribed' || type === 'subscribed';
    let gap = 0;
    if (sid !== undefined) {
      const last = this.last.get(sid);
      if (last === undefined) return void this.unknown++;
      if (seq !== undefined) {
        if (seq <= last) return void this.duplicates++;
        if (seq > last + 1) {
          gap = seq - last - 1;
          this.gaps++;
          this.gapMessages += gap;
        }
        this.last.set(sid, seq);
      }
      gap += this.pending.get(sid) ?? 0;
      this.pending.delete(sid);
      if (control) {
        if (gap > 0) this.pending.set(sid, gap);
        return;
      }
    } else if (control) {
      return;
    }
    this.queued++;
    this.flags.push(gap);
    const key = scan.msgStart < 0 ? '-' : decoder.decode(bytes.subarray(scan.msgStart, scan.msgEnd));
    this.payloads.set(key, (this.payloads.get(key) ?? 0) + 1);
  }
}

type SeqSpec = 'next' | 'repeat' | 'regress' | 'gap' | 'absent' | 'huge' | 'negative' | 'fraction' | 'text';
interface FrameSpec {
  readonly type: string;
  readonly sid: number | 'absent' | 'text';
  readonly seq: SeqSpec;
  readonly k: number;
  readonly msg: unknown;
  readonly order: boolean;
}

const frameSpec: fc.Arbitrary<FrameSpec> = fc.record({
  type: fc.constantFrom('orderbook_delta', 'orderbook_delta', 'orderbook_snapshot', 'ok', 'error', 'unsubscribed', 'subscribed', 'trade', 'market_lifecycle_v2', 'x'),
  sid: fc.oneof(fc.constant(1), fc.constant(1), fc.constant(1), fc.integer({ min: -2, max: 4 }), fc.constantFrom(2 ** 40, 'absent' as const, 'text' as const)),
  seq: fc.constantFrom<SeqSpec>('next', 'next', 'next', 'next', 'repeat', 'regress', 'gap', 'absent', 'huge', 'negative', 'fraction', 'text'),
  k: fc.integer({ min: 1, max: 50 }),
  msg: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.record({ code: fc.integer({ min: 0, max: 30 }), market_ticker: fc.string({ maxLength: 8 }) })),
  order: fc.boolean(),
});

/** Renders a spec against the model's current seq for sid 1 (so in-order, repeated and gapped seqs all occur). */
function render(spec: FrameSpec, model: Model): Uint8Array {
  const last = model.last.get(typeof spec.sid === 'number' ? spec.sid : 1) ?? 0;
  const seqs: Record<SeqSpec, unknown> = {
    next: last + 1,
    repeat: last,
    regress: Math.max(0, last - spec.k),
    gap: last + 1 + spec.k,
    absent: undefined,
    huge: 2 ** 52 + spec.k,
    negative: -spec.k,
    fraction: last + 0.5,
    text: String(last + 1),
  };
  const fields: [string, unknown][] = [
    ['type', spec.type],
    ['sid', spec.sid === 'absent' ? undefined : spec.sid === 'text' ? '1' : spec.sid],
    ['seq', seqs[spec.seq]],
    ['msg', spec.msg],
  ];
  if (spec.order) fields.reverse(); // both key orders occur in real captures
  const members = fields.filter(([, v]) => v !== undefined).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  return encoder.encode(`{${members.join(',')}}`);
}

let manager: ConnectionManager | undefined;
afterEach(async () => {
  await manager?.stop();
  manager = undefined;
});

async function startWith(layout: LayoutOptions): Promise<{ fakes: ReturnType<typeof createFakeClientFactory>; seen: RawMessage[] }> {
  const fakes = createFakeClientFactory({ client: { snapshots: false } });
  manager = createConnectionManager({
    clientFactory: fakes.factory,
    registry: fixedRegistry(['KXA-1', 'KXB-2', 'KXC-3']),
    layout,
    minHealthyConnections: 1,
    repair: { enabled: false },
    admission: { dialsPerSecond: 10_000, burst: 100, jitterMs: 0 },
    commandsPerSecond: 100_000,
    queue: { capacity: 100_000, lowWaterMark: 10 },
  });
  await manager.start();
  const m = manager;
  await vi.waitFor(() => expect(m.health().connections.every((c) => c.sids.length === 1 && c.inSync)).toBe(true));
  const seen: RawMessage[] = [];
  void (async () => {
    for await (const message of m) seen.push(message);
  })();
  return { fakes, seen };
}

describe('manager frame path under hostile frames (FakeClient)', () => {
  it('an orderbook slot: never throws; queued, duplicate, unknown-sid and gap counters match the reference model', async () => {
    const { fakes, seen } = await startWith({ ticker: 0, trade: 0, lifecycle: 0, orderbook: 1 });
    const client = fakes.latest(1)!;
    expect(client.sidOf('orderbook_delta')).toBe(1);
    const frames = reader(client);
    const model = new Model();
    const before = manager!.stats();
    let protocol = 0;
    fc.assert(
      fc.property(fc.array(fc.oneof({ arbitrary: frameSpec, weight: 4 }, { arbitrary: hostileBytes, weight: 1 }), { maxLength: 40 }), (items) => {
        for (const item of items) {
          const bytes = item instanceof Uint8Array ? item : render(item, model);
          const outcome = frames.read(bytes); // must not throw
          for (const sid of frames.subscribed) model.subscribed(sid);
          if (outcome === 'frame') model.frame(bytes);
          else if (outcome === 'protocol') protocol++;
        }
        const stats = manager!.stats();
        expect({
          queued: stats.messagesQueued - before.messagesQueued,
          duplicates: stats.duplicateDrops,
          unknown: stats.unknownSidDrops,
          gaps: stats.gaps,
          gapMessages: stats.gapMessages,
        }).toEqual({ queued: model.queued, duplicates: model.duplicates, unknown: model.unknown, gaps: model.gaps, gapMessages: model.gapMessages });
      }),
      { numRuns: 300 },
    );
    expect(model.duplicates).toBeGreaterThan(0);
    expect(model.unknown).toBeGreaterThan(0);
    expect(model.gaps).toBeGreaterThan(0);
    expect(protocol).toBeGreaterThan(0);
    await vi.waitFor(() => expect(seen).toHaveLength(model.queued));
    // every delivered message carries exactly the gap the model expected before it
    expect(seen.map((m) => m.gapSize)).toEqual(model.flags);
    expect(seen.every((m) => m.seqGap === m.gapSize > 0)).toBe(true);
    expect(manager!.health().connections[0]).toMatchObject({ state: 'open', generation: 1 });
  });

  it('a redundant ticker pair fed the same hostile frames: never throws, each payload delivered once per copy sent', async () => {
    const { fakes, seen } = await startWith({ ticker: 2, trade: 0, lifecycle: 0, orderbook: 0 });
    const [a, b] = [reader(fakes.latest(1)!), reader(fakes.latest(2)!)];
    const model = new Model(); // of connection a; b sees the same frames in the same order
    fc.assert(
      fc.property(fc.array(fc.oneof(hostileBytes, frameSpec.map((s) => render({ ...s, sid: 1, seq: 'absent', type: 'ticker' }, model))), { maxLength: 30 }), fc.boolean(), (items, bFirst) => {
        for (const bytes of items) {
          if (bFirst) b.read(bytes);
          if (a.read(bytes) === 'frame') model.frame(bytes);
          for (const sid of a.subscribed) model.subscribed(sid);
          if (!bFirst) b.read(bytes);
        }
      }),
      { numRuns: 200 },
    );
    const stats = manager!.stats();
    const withoutMsg = model.payloads.get('-') ?? 0;
    expect(model.queued).toBeGreaterThan(100);
    // the pair is deduplicated by payload; frames without a msg cannot be, so both copies pass
    expect(stats.redundantDrops).toBe(model.queued - withoutMsg);
    expect(stats.messagesQueued).toBe(model.queued + withoutMsg);
    await vi.waitFor(() => expect(seen).toHaveLength(stats.messagesQueued));
    const delivered = new Map<string, number>();
    for (const m of seen) {
      const scan = scanEnvelope(m.data);
      const key = scan.msgStart < 0 ? '-' : decoder.decode(m.data.subarray(scan.msgStart, scan.msgEnd));
      delivered.set(key, (delivered.get(key) ?? 0) + 1);
    }
    if (withoutMsg > 0) model.payloads.set('-', withoutMsg * 2);
    expect(delivered).toEqual(model.payloads);
  });
});
