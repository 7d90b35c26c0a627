/** Command-line flags of bench/run.ts. */

/** Parsed flags. */
export interface BenchArgs {
  /** `--quick`: ~60 s in total, 3 rounds. */
  readonly quick: boolean;
  /** `--json PATH`: write results there. */
  readonly json: string | undefined;
  /** `--only a,b`: run only these scenarios. */
  readonly only: readonly string[] | undefined;
  /** `--rounds N`: alternating rounds (default 5, 3 with --quick). */
  readonly rounds: number;
  /**
   * `--source firehose|sim`: what serves the throughput/latency streams (default `firehose`: the
   * simulator's `blast` is itself the bottleneck, see bench/README.md).
   */
  readonly source: 'firehose' | 'sim';
  /** `--no-pin`: do not use taskset. */
  readonly pin: boolean;
  /** `--profile DIR`: run every client child with `--cpu-prof`, profiles written to DIR. */
  readonly profile: string | undefined;
  /** `--trace-gc`: run every client child with `--trace-gc` (one line per collection, with its pause). */
  readonly traceGc: boolean;
  /** `--variants a,b`: run only these variants in throughput and latency (`raw` always runs: ratios need it). */
  readonly variants: readonly string[] | undefined;
}

const USAGE = `usage: tsx bench/run.ts [--quick] [--json PATH] [--only NAME[,NAME]] [--rounds N] [--source firehose|sim] [--no-pin] [--profile DIR] [--trace-gc] [--variants V[,V]]
scenarios: throughput, latency, subscription-scale, recovery, idle, books, user-data, nats`;

/** Parses `argv` (without node and script); exits with usage on a bad flag. */
export function parseArgs(argv: readonly string[]): BenchArgs {
  let quick = false;
  let json: string | undefined;
  let only: string[] | undefined;
  let rounds: number | undefined;
  let source: BenchArgs['source'] = 'firehose';
  let pin = true;
  let profile: string | undefined;
  let traceGc = false;
  let variants: string[] | undefined;
  const value = (i: number, flag: string): string => {
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) fail(`${flag} needs a value`);
    return next;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const [name, inline] = flag.includes('=') ? flag.split('=', 2) as [string, string] : [flag, undefined];
    const take = (): string => {
      if (inline !== undefined) return inline;
      return value(i++, name);
    };
    switch (name) {
      case '--quick':
        quick = true;
        break;
      case '--json':
        json = take();
        break;
      case '--only':
        only = take().split(',').map((s) => s.trim()).filter((s) => s !== '');
        break;
      case '--rounds': {
        const n = Number(take());
        if (!Number.isInteger(n) || n < 1 || n > 50) fail('--rounds must be an integer 1..50');
        rounds = n;
        break;
      }
      case '--source': {
        const s = take();
        if (s !== 'firehose' && s !== 'sim') fail('--source must be firehose or sim');
        source = s;
        break;
      }
      case '--profile':
        profile = take();
        break;
      case '--no-pin':
        pin = false;
        break;
      case '--trace-gc':
        traceGc = true;
        break;
      case '--variants':
        variants = take().split(',').map((s) => s.trim()).filter((s) => s !== '');
        break;
      case '--help':
      case '-h':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        fail(`unknown flag ${flag}`);
    }
  }
  return { quick, json, only, rounds: rounds ?? (quick ? 3 : 5), source, pin, profile, traceGc, variants };
}

function fail(message: string): never {
  console.error(`bench: ${message}\n${USAGE}`);
  process.exit(64);
}
