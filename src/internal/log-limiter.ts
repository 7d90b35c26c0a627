import { ConfigError } from '../errors';
import type { Clock } from '../ports/clock';
import { systemClock } from '../ports/clock';
import type { LogFields, Logger } from '../ports/logger';

/** Options of {@link createRateLimitedLogger}. */
export interface RateLimitedLoggerOptions {
  /**
   * How long repeats of one warning or error are suppressed after its first occurrence, in ms.
   * @default 10_000
   */
  readonly windowMs?: number;
  /**
   * Time source.
   * @default systemClock
   */
  readonly clock?: Pick<Clock, 'now'>;
}

/** A {@link Logger} that rate-limits repeated warnings and errors; `flush()` logs pending summaries now. */
export interface RateLimitedLogger extends Logger {
  /** Log the `{ suppressed: n, connectionIds }` summary of every open window now and close all windows. */
  flush(): void;
}

/** Defaults of {@link RateLimitedLoggerOptions}. */
export const rateLimitedLoggerDefaults = Object.freeze({ windowMs: 10_000 });

/** At most this many connection ids are listed in one summary; further ones are only counted. */
export const MAX_SUMMARY_CONNECTION_IDS = 20;

type LimitedLevel = 'warn' | 'error';

interface Window {
  readonly level: LimitedLevel;
  readonly message: string;
  readonly endsAt: number;
  suppressed: number;
  /** Distinct `connectionId`s of the suppressed lines, in order of first appearance (bounded). */
  readonly connectionIds: number[];
  /** Suppressed lines whose connection id did not fit in `connectionIds`. */
  connectionIdsOmitted: number;
}

// Normalised (lower-case, letters and digits only) fragments of key names that may hold secrets.
const secretKeyFragments = ['privatekey', 'keyid', 'signature', 'authorization', 'secret', 'apikey', 'kalshiaccess'];

function isSecretKey(key: string): boolean {
  const normal = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  for (const fragment of secretKeyFragments) if (normal.includes(fragment)) return true;
  return false;
}

/**
 * Drops top-level fields whose names look like key material (`privateKey`, `keyId`, `signature`,
 * `authorization`, `secret`, `apiKey`, `KALSHI-ACCESS-*`; case and separators ignored).
 * Defensive: the package never logs such fields on purpose. Returns `fields` itself when nothing is dropped.
 * @example
 * redactFields({ connectionId: 3, keyId: 'abc' }) // { connectionId: 3 }
 */
export function redactFields(fields: LogFields): LogFields {
  const keys = Object.keys(fields);
  if (!keys.some(isSecretKey)) return fields;
  const out: Record<string, unknown> = {};
  for (const key of keys) if (!isSecretKey(key)) out[key] = fields[key];
  return out;
}

/**
 * Wraps `logger` so that a reconnect storm cannot flood it. Identical warnings or errors (same level and
 * message; fields such as the connection id are not part of the identity) are logged once per window;
 * repeats are counted, and when the window has ended a summary `{ suppressed: n, windowMs, connectionIds }` with
 * the same message is logged, lazily on the next call (no timers). `connectionIds` lists the distinct numeric
 * `connectionId` fields of the suppressed lines (at most {@link MAX_SUMMARY_CONNECTION_IDS}; lines beyond that
 * are counted in `connectionIdsOmitted`); both are left out when no suppressed line carried one. `debug` and
 * `info` pass through. Every line's fields go through {@link redactFields}.
 * @throws {ConfigError} when `windowMs` is not a positive finite number.
 * @example
 * const log = createRateLimitedLogger(pino(), { windowMs: 10_000 });
 * log.warn({ connectionId: 4 }, 'reconnecting'); // logged
 * log.warn({ connectionId: 5 }, 'reconnecting'); // counted, summarised later
 */
export function createRateLimitedLogger(logger: Logger, options: RateLimitedLoggerOptions = {}): RateLimitedLogger {
  const windowMs = options.windowMs ?? rateLimitedLoggerDefaults.windowMs;
  if (typeof windowMs !== 'number' || !Number.isFinite(windowMs) || windowMs <= 0) {
    throw new ConfigError('windowMs', `must be a positive finite number, got ${String(windowMs)}`);
  }
  const clock = options.clock ?? systemClock;
  const windows = new Map<string, Window>();
  // Earliest end among open windows, so a call only scans the map when some window may have ended.
  let nextEnd = Infinity;

  function summarise(window: Window): void {
    if (window.suppressed === 0) return;
    const fields: Record<string, unknown> = { suppressed: window.suppressed, windowMs };
    if (window.connectionIds.length > 0) fields['connectionIds'] = window.connectionIds;
    if (window.connectionIdsOmitted > 0) fields['connectionIdsOmitted'] = window.connectionIdsOmitted;
    logger[window.level](fields, window.message);
  }

  function remember(window: Window, fields: LogFields): void {
    // The fold must still say which connections it stands for (a reconnect storm names them all).
    const id = fields['connectionId'];
    if (typeof id !== 'number' || window.connectionIds.includes(id)) return;
    if (window.connectionIds.length < MAX_SUMMARY_CONNECTION_IDS) window.connectionIds.push(id);
    else window.connectionIdsOmitted += 1;
  }

  function sweep(now: number): void {
    if (now < nextEnd) return;
    nextEnd = Infinity;
    for (const [key, window] of windows) {
      if (now >= window.endsAt) {
        windows.delete(key);
        summarise(window);
      } else if (window.endsAt < nextEnd) {
        nextEnd = window.endsAt;
      }
    }
  }

  function limited(level: LimitedLevel, fields: LogFields, message: string): void {
    const now = clock.now();
    sweep(now);
    const key = `${level}\u0000${message}`;
    const open = windows.get(key);
    if (open !== undefined) {
      open.suppressed += 1;
      remember(open, fields);
      return;
    }
    const endsAt = now + windowMs;
    windows.set(key, { level, message, endsAt, suppressed: 0, connectionIds: [], connectionIdsOmitted: 0 });
    if (endsAt < nextEnd) nextEnd = endsAt;
    logger[level](redactFields(fields), message);
  }

  return {
    debug(fields, message) {
      sweep(clock.now());
      logger.debug(redactFields(fields), message);
    },
    info(fields, message) {
      sweep(clock.now());
      logger.info(redactFields(fields), message);
    },
    warn(fields, message) {
      limited('warn', fields, message);
    },
    error(fields, message) {
      limited('error', fields, message);
    },
    flush() {
      const open = [...windows.values()];
      windows.clear();
      nextEnd = Infinity;
      for (const window of open) summarise(window);
    },
  };
}
