/**
 * Stream provisioning and the start-time check that a stream stores the router's subjects.
 * @packageDocumentation
 */
import { RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import { NatsStreamError } from './errors';

/** How `provision` creates (or updates) the stream. Every field is optional. */
export interface StreamProvisionOptions {
  /** Keep messages this long. @default 3_600_000 (1 hour) */
  readonly maxAgeMs?: number;
  /** Cap on stored bytes; `-1` for no cap. The oldest messages go first. @default -1 */
  readonly maxBytes?: number;
  /** JetStream's duplicate window: a message id seen within it is stored once. @default 120_000 */
  readonly duplicateWindowMs?: number;
  /** `file` survives a server restart; `memory` does not. @default 'file' */
  readonly storage?: 'file' | 'memory';
}

/** Defaults of {@link StreamProvisionOptions}. */
export const STREAM_PROVISION_DEFAULTS = Object.freeze({
  /** Default of `maxAgeMs`: 3_600_000. */
  maxAgeMs: 3_600_000,
  /** Default of `maxBytes`: -1. */
  maxBytes: -1,
  /** Default of `duplicateWindowMs`: 120_000. */
  duplicateWindowMs: 120_000,
  /** Default of `storage`: 'file'. */
  storage: 'file' as 'file' | 'memory',
});

const NS_PER_MS = 1_000_000;

/** True when one of `streamSubjects` matches every subject under `prefix` (`prefix.>`, a wider `>` wildcard, or `>`). */
export function subjectsCover(streamSubjects: readonly string[], prefix: string): boolean {
  const want = `${prefix}.>`.split('.');
  return streamSubjects.some((subject) => {
    const have = subject.split('.');
    for (let i = 0; i < have.length; i++) {
      if (have[i] === '>') return true;
      if (i >= want.length) return false;
      if (have[i] !== '*' && have[i] !== want[i]) return false;
      if (have[i] === '*' && want[i] === '>') return false;
    }
    return have.length === want.length && have[have.length - 1] === '>';
  });
}

/**
 * Make sure `stream` exists and stores `<prefix>.>`. With `provision` the stream is created when missing
 * (limits retention); an existing stream is never reconfigured.
 * @throws {NatsStreamError} when the stream is missing without `provision`, or does not cover the subjects.
 */
export async function ensureStream(jsm: JetStreamManager, stream: string, prefix: string, provision: StreamProvisionOptions | false): Promise<void> {
  let subjects: readonly string[];
  try {
    subjects = (await jsm.streams.info(stream)).config.subjects ?? [];
  } catch (error) {
    if (!isNotFound(error)) throw error;
    if (provision === false) throw new NatsStreamError(stream, 'does not exist and provisioning is off (pass provision: {})', { cause: error });
    const p = { ...STREAM_PROVISION_DEFAULTS, ...provision };
    const config: Partial<StreamConfig> & { name: string } = {
      name: stream,
      subjects: [`${prefix}.>`],
      retention: RetentionPolicy.Limits,
      storage: p.storage === 'memory' ? StorageType.Memory : StorageType.File,
      max_age: p.maxAgeMs * NS_PER_MS,
      max_bytes: p.maxBytes,
      duplicate_window: p.duplicateWindowMs * NS_PER_MS,
    };
    await jsm.streams.add(config);
    return;
  }
  if (!subjectsCover(subjects, prefix)) {
    throw new NatsStreamError(stream, `subjects [${subjects.join(', ')}] do not cover ${prefix}.>; messages would not be stored`);
  }
}

function isNotFound(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; api_error?: { err_code?: number } };
  return e?.api_error?.err_code === 10059 || (typeof e?.message === 'string' && /stream not found/i.test(e.message));
}
