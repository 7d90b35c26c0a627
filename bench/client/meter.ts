/**
 * Counts consumed frames and takes wall time and process CPU at two points: after `warmup` frames
 * (so JIT warm-up is excluded) and at `expected` frames. One `tick()` per consumed frame, in every
 * variant alike.
 */
import { preciseNowMs } from '../lib/frames';

/** What one throughput trial measured. */
export interface ThroughputSample {
  readonly frames: number;
  readonly wallMs: number;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
  readonly gaps: number;
}

/** Frame counter with start/end marks; resolves `done` at the expected count. */
export class Meter {
  count = 0;
  gaps = 0;
  private startAt = 0;
  private startCpu: NodeJS.CpuUsage | undefined;
  private resolveDone: ((sample: ThroughputSample) => void) | undefined;
  /** Settles when `expected` frames were counted. */
  readonly done: Promise<ThroughputSample>;

  constructor(
    private readonly warmup: number,
    private readonly expected: number,
  ) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  /** Counts one consumed frame. */
  tick(): void {
    const count = ++this.count;
    if (count === this.warmup) {
      this.startCpu = process.cpuUsage();
      this.startAt = performance.now();
    } else if (count === this.expected) {
      const wallMs = performance.now() - this.startAt;
      const cpu = process.cpuUsage(this.startCpu);
      this.resolveDone?.({
        frames: this.expected - this.warmup,
        wallMs,
        cpuUserMs: cpu.user / 1000,
        cpuSystemMs: cpu.system / 1000,
        gaps: this.gaps,
      });
    }
  }
}

/** Records arrival-to-consumer latency samples (ms) after a warm-up period, bounded in memory. */
export class LatencyRecorder {
  readonly samples: Float64Array;
  count = 0;
  seen = 0;
  private readonly recordAfter: number;

  constructor(maxSamples: number, warmupMs: number) {
    this.samples = new Float64Array(maxSamples);
    this.recordAfter = preciseNowMs() + warmupMs;
  }

  /** Records `now - sentAtMs` if past the warm-up and there is room. */
  record(sentAtMs: number): void {
    this.seen++;
    const now = preciseNowMs();
    if (now < this.recordAfter || this.count === this.samples.length) return;
    this.samples[this.count++] = now - sentAtMs;
  }
}
