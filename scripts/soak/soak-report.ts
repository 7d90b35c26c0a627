/**
 * The soak's invariants and its printed report.
 */
import type { ManagerStats } from '../../src/index';
import type { InjectedGap } from './soak-faults';
import type { MemorySample, SoakObserver } from './soak-observer';

/** One checked statement: what must hold, what was measured, and whether it held. */
export interface Invariant {
  readonly name: string;
  readonly measured: string;
  readonly ok: boolean;
}

/** Everything the report prints. */
export interface SoakSummary {
  readonly command: string;
  readonly durationS: number;
  readonly layout: string;
  readonly markets: number;
  readonly faults: ReadonlyMap<string, number>;
  readonly faultProblems: readonly string[];
  readonly recoveryMs: readonly number[];
  readonly injectedGaps: readonly InjectedGap[];
  readonly unflaggedGaps: number;
  /** Sum of `gapSize` over delivered messages equals the gaps' missing messages (+ local drops). */
  readonly flagsMatch: boolean;
  readonly unexplainedGaps: number;
  readonly stats: ManagerStats;
  readonly observer: SoakObserver;
  readonly dialsPerSecondLimit: number;
  readonly burst: number;
  readonly loopDelay: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly heapBoundMb: number;
  readonly loopDelayBoundMs: number;
  readonly leaks: readonly string[];
  readonly endState: readonly string[];
}

const mb = (n: number): string => `${n.toFixed(1)} MB`;

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Evaluate every invariant of a finished soak. */
export function invariants(s: SoakSummary): Invariant[] {
  const o = s.observer;
  const memory = (label: string): MemorySample | undefined => o.memory.find((m) => m.label === label);
  const middle = memory('middle');
  const end = memory('end');
  const maxDials = o.maxDialsPerSecond();
  return [
    { name: 'every fault ended in its expected state', measured: s.faultProblems.length === 0 ? 'yes' : s.faultProblems.join('; '), ok: s.faultProblems.length === 0 },
    { name: 'end state: every market held exactly once, all slots in sync', measured: s.endState.length === 0 ? 'yes' : s.endState.join('; '), ok: s.endState.length === 0 },
    {
      name: 'every injected gap flagged (gap event, and seqGap/gapSize on the next message)',
      measured: `${s.injectedGaps.length - s.unflaggedGaps}/${s.injectedGaps.length} events; flagged gapSize sum ${o.flaggedMissing} vs ${s.stats.gapMessages} missing`,
      ok: s.unflaggedGaps === 0 && s.flagsMatch,
    },
    { name: 'no gap flagged that was not injected', measured: String(s.unexplainedGaps), ok: s.unexplainedGaps === 0 },
    { name: 'no duplicate ticker/trade payload delivered', measured: `${o.duplicates} of ${o.redundantPayloads}`, ok: o.duplicates === 0 },
    { name: "no local drops ('pause' policy)", measured: String(s.stats.queueDrops), ok: s.stats.queueDrops === 0 },
    { name: `reconnect dials within admission (${s.dialsPerSecondLimit}/s + burst ${s.burst})`, measured: `max ${maxDials} dials in 1 s`, ok: maxDials <= s.dialsPerSecondLimit + s.burst },
    {
      name: `memory flat: end heap within +${s.heapBoundMb} MB of the middle`,
      measured: middle !== undefined && end !== undefined ? `${mb(middle.heapMb)} -> ${mb(end.heapMb)}` : 'not sampled',
      ok: middle !== undefined && end !== undefined && end.heapMb <= middle.heapMb + s.heapBoundMb,
    },
    { name: `event-loop delay p99 <= ${s.loopDelayBoundMs} ms`, measured: `${s.loopDelay.p99.toFixed(1)} ms`, ok: s.loopDelay.p99 <= s.loopDelayBoundMs },
    { name: 'no unhandled rejection', measured: String(o.unhandled.length), ok: o.unhandled.length === 0 },
    { name: 'after stop(): 0 sockets, 0 timers, 0 listeners', measured: s.leaks.length === 0 ? 'yes' : s.leaks.join('; '), ok: s.leaks.length === 0 },
  ];
}

/** The report, as Markdown (it goes into docs/reliability.md as is). */
export function formatReport(s: SoakSummary, checks: readonly Invariant[]): string {
  const o = s.observer;
  const st = s.stats;
  const lines: string[] = [];
  lines.push(`### Soak report`, '', `\`${s.command}\` — ${s.durationS.toFixed(0)} s, ${s.layout}, ${s.markets} markets at start, Node ${process.version}`, '');
  lines.push('| measure | value |', '|---|---|');
  const row = (k: string, v: string | number): void => {
    lines.push(`| ${k} | ${v} |`);
  };
  row('faults injected', [...s.faults.values()].reduce((n, c) => n + c, 0));
  row('recovery time after a fault (p50 / p95 / max)', `${percentile(s.recoveryMs, 50)} / ${percentile(s.recoveryMs, 95)} / ${Math.max(0, ...s.recoveryMs)} ms`);
  row('messages delivered', st.messagesDelivered.toLocaleString('en-US'));
  row('gaps injected / flagged (gap events) / flagged messages', `${s.injectedGaps.length} / ${st.gaps} / ${o.flaggedMessages}`);
  row('repairs ok / failed / skipped', `${st.repairs.ok} / ${st.repairs.failed} / ${st.repairs.skipped}`);
  row('resubscribes (errors 10/25)', st.resubscribes);
  row('reconnects ok / failed dials', `${st.reconnects.success} / ${st.reconnects.failed}`);
  row('dials in total / max per second', `${o.dials.length} / ${o.maxDialsPerSecond()}`);
  row('duplicates dropped (seq) / redundant copies dropped / unknown-sid frames', `${st.duplicateDrops} / ${st.redundantDrops} / ${st.unknownSidDrops}`);
  row('local queue drops', st.queueDrops);
  row('commands sent / failed', `${st.commands.sent} / ${st.commands.failed}`);
  for (const sample of o.memory) row(`heap / RSS (${sample.label})`, `${mb(sample.heapMb)} / ${mb(sample.rssMb)}`);
  row('event-loop delay p50 / p99 / max', `${s.loopDelay.p50.toFixed(1)} / ${s.loopDelay.p99.toFixed(1)} / ${s.loopDelay.max.toFixed(1)} ms`);
  lines.push('', '| fault | times |', '|---|---|');
  for (const [name, count] of [...s.faults].sort((a, b) => b[1] - a[1])) lines.push(`| ${name} | ${count} |`);
  lines.push('', '| invariant | measured | ok |', '|---|---|---|');
  for (const c of checks) lines.push(`| ${c.name} | ${c.measured} | ${c.ok ? 'yes' : '**NO**'} |`);
  return lines.join('\n');
}
