/** Structured fields attached to a log line. Never contains key material. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * A pino-shaped logger: `logger.warn({ connectionId: 7 }, 'reconnecting')`.
 * pino, bunyan-style adapters and `console`-backed shims all fit.
 */
export interface Logger {
  /** Detail for debugging (connects, repairs that went fine). */
  debug(fields: LogFields, message: string): void;
  /** Normal milestones (pool started, reconnecting). */
  info(fields: LogFields, message: string): void;
  /** Something recoverable went wrong (gap, disconnect, retried command). */
  warn(fields: LogFields, message: string): void;
  /** Something failed for good (a slot gave up, a command was dropped). */
  error(fields: LogFields, message: string): void;
}

const noop = (): void => {};

/** The default logger: drops everything. */
export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });
