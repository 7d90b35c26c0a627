/** What every scenario gets from the orchestrator. */
import type { BenchAuth } from '../client/sockets';
import type { BenchChild } from './processes';
import type { ResultRow } from './results';

/** Shared state of one bench run. */
export interface BenchContext {
  readonly quick: boolean;
  /** Alternating rounds per scenario. */
  readonly rounds: number;
  /** The server child (firehose + simulator), pinned to core 1 when possible. */
  readonly server: BenchChild;
  /** Core the client children are pinned to, undefined without taskset. */
  readonly clientCore: number | undefined;
  /** Throwaway key pair the simulator trusts. */
  readonly auth: BenchAuth & { readonly publicKeyPem: string };
  /** What serves throughput/latency streams this run. */
  readonly source: 'firehose' | 'sim';
  /** Why the simulator cannot be used (undefined when it can). */
  readonly simUnavailable: string | undefined;
  /** Extra node flags for client children (`--cpu-prof ...` with --profile). */
  readonly clientFlags: readonly string[];
  /** `--variants`: the only variants to run (plus `raw`), undefined for all. */
  readonly variants: readonly string[] | undefined;
  /** Progress line on stderr. */
  log(message: string): void;
}

/** A scenario: runs its trials and returns result rows. Must finish within `budgetMs`. */
export interface Scenario {
  readonly name: string;
  /** Hard limit for the whole scenario (the orchestrator aborts it after this). */
  budgetMs(quick: boolean): number;
  run(context: BenchContext, signal: AbortSignal): Promise<ResultRow[]>;
}
