/**
 * User-data scale: N accounts (default 1,000) in one manager process against the simulator (run in a
 * child process so its memory is not counted). Measures start time (start() until every account is
 * connected and subscribed), the observed dial rate against the admission limit (max dials started in
 * any 1 s window vs rate + burst, a dial being timed when it signs the handshake right after its grant), and heap/RSS per account once all are connected (after a GC when
 * `--expose-gc` is on). Each connect also runs the REST fill backfill, as in production.
 *
 *   npx tsx bench/scenarios/user-data-scale.ts [--accounts 1000] [--rate 50] [--burst 10]
 *   npm run bench -- --only user-data [--quick]
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { WS_SIGN_PATH, createKalshiSigner, createMemoryAccountSource, createUserDataManager } from '../../src/index';
import type { KalshiSigner } from '../../src/index';
import type { Scenario } from '../lib/context';
import { row } from '../lib/results';
import type { ResultRow } from '../lib/results';

const NAME = 'user-data';

/** One measured run. */
export interface UserDataScaleResult {
  readonly accounts: number;
  readonly dialsPerSecond: number;
  readonly burst: number;
  readonly startMs: number;
  readonly maxDialsInOneSecond: number;
  readonly meanDialRate: number;
  readonly heapPerAccountKb: number;
  readonly rssPerAccountKb: number;
  readonly backfills: number;
  /** Dials made (equal to `accounts` when none failed). */
  readonly dials: number;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function once<T>(child: ChildProcess, signal: AbortSignal | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    child.once('message', (m) => {
      signal?.removeEventListener('abort', onAbort);
      resolve(m as T);
    });
    child.once('exit', (code) => reject(new Error(`simulator child exited with ${String(code)}`)));
  });
}

/** Runs one trial. */
export async function runUserDataScale(
  options: { accounts: number; dialsPerSecond: number; burst: number; timeoutMs: number },
  signal?: AbortSignal,
): Promise<UserDataScaleResult> {
  const host = fileURLToPath(new URL('../lib/user-data-sim-host.ts', import.meta.url));
  const child = fork(host, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const ready = once<{ url: string; keyIds: string[]; privateKeyPem: string }>(child, signal);
    child.send({ accounts: options.accounts });
    const { url, keyIds, privateKeyPem } = await ready;
    const key = createPrivateKey(privateKeyPem);
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const rssBefore = process.memoryUsage().rss;
    // Dial times: each dial signs the WebSocket path right after its admission grant.
    const dialAt: number[] = [];
    const signerFor = (keyId: string): KalshiSigner => {
      const inner = createKalshiSigner({ keyId, privateKey: key });
      return Object.freeze({
        headers: (method: string, path: string, sig?: AbortSignal) => {
          if (path === WS_SIGN_PATH) dialAt.push(performance.now());
          return inner.headers(method, path, sig);
        },
      });
    };
    const source = createMemoryAccountSource(keyIds.map((keyId, i) => ({ id: `acct-${i + 1}`, signer: signerFor(keyId) })));
    const manager = createUserDataManager({
      url,
      accounts: source,
      admission: { dialsPerSecond: options.dialsPerSecond, burst: options.burst, jitterMs: 0 },
      reconcileIntervalMs: 0,
      healthCheck: { intervalMs: 0 },
    });
    const connectedAt: number[] = [];
    let backfills = 0;
    manager.on('connected', () => connectedAt.push(performance.now()));
    manager.on('backfill', () => backfills++);
    const reading = (async () => {
      for await (const _ of manager) void _;
    })();
    const started = performance.now();
    try {
      await manager.start();
      const deadline = started + options.timeoutMs;
      while (connectedAt.length < options.accounts) {
        if (signal?.aborted === true || performance.now() > deadline) throw new Error(`only ${connectedAt.length}/${options.accounts} connected in time`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const startMs = performance.now() - started;
      const wait = performance.now() + 30_000;
      while (backfills < options.accounts && performance.now() < wait) await new Promise((resolve) => setTimeout(resolve, 50));
      gc();
      const memory = process.memoryUsage();
      // Max dials started in any 1 s window (two pointers over the sorted sign times).
      let maxInSecond = 0;
      for (let lo = 0, hi = 0; hi < dialAt.length; hi++) {
        while (dialAt[hi]! - dialAt[lo]! >= 1000) lo++;
        maxInSecond = Math.max(maxInSecond, hi - lo + 1);
      }
      const span = (dialAt.at(-1)! - dialAt[0]!) / 1000;
      return {
        accounts: options.accounts,
        dialsPerSecond: options.dialsPerSecond,
        burst: options.burst,
        startMs,
        maxDialsInOneSecond: maxInSecond,
        meanDialRate: span > 0 ? (dialAt.length - 1) / span : dialAt.length,
        dials: dialAt.length,
        heapPerAccountKb: (memory.heapUsed - heapBefore) / options.accounts / 1024,
        rssPerAccountKb: (memory.rss - rssBefore) / options.accounts / 1024,
        backfills,
      };
    } finally {
      await manager.stop();
      await reading;
    }
  } finally {
    child.send('close');
    await new Promise((resolve) => {
      child.once('exit', resolve);
      setTimeout(() => {
        child.kill();
        resolve(undefined);
      }, 5_000).unref();
    });
  }
}

function rows(results: readonly UserDataScaleResult[]): ResultRow[] {
  const r = results[0]!;
  const base = { scenario: NAME, case: `${r.accounts} accounts, ${r.dialsPerSecond}/s burst ${r.burst}`, variant: 'sdk' };
  return [
    row({ ...base, metric: 'start', unit: 's', note: 'start() until all connected + subscribed' }, results.map((x) => x.startMs / 1000)),
    row({ ...base, metric: 'max dials/1s', unit: 'dials', note: `limit ${r.dialsPerSecond + r.burst} (rate + burst)` }, results.map((x) => x.maxDialsInOneSecond)),
    row({ ...base, metric: 'mean dial rate', unit: '/s', note: `admission ${r.dialsPerSecond}/s` }, results.map((x) => x.meanDialRate)),
    row({ ...base, metric: 'heap/account', unit: 'KB', note: 'after GC when --expose-gc' }, results.map((x) => x.heapPerAccountKb)),
    row({ ...base, metric: 'rss/account', unit: 'KB' }, results.map((x) => x.rssPerAccountKb)),
  ];
}

/** The scenario for `bench/run.ts` (`--only user-data`). */
export const userDataScale: Scenario = {
  name: NAME,
  budgetMs: (quick) => (quick ? 90_000 : 180_000),
  async run(context, signal) {
    const accounts = context.quick ? 300 : 1_000;
    const result = await runUserDataScale({ accounts, dialsPerSecond: 50, burst: 10, timeoutMs: context.quick ? 60_000 : 150_000 }, signal);
    context.log(`${NAME}: ${JSON.stringify(result)}`);
    return rows([result]);
  },
};

// Runnable alone: npx tsx bench/scenarios/user-data-scale.ts [--accounts N] [--rate R] [--burst B]
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string, fallback: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? fallback : Number(process.argv[i + 1]);
  };
  const accounts = arg('accounts', 1_000);
  runUserDataScale({ accounts, dialsPerSecond: arg('rate', 50), burst: arg('burst', 10), timeoutMs: 300_000 }).then(
    (result) => {
      console.log(JSON.stringify(result, null, 2));
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
