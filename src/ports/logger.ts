/** Structured fields attached to a log line. Never contains key material. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * A pino-shaped logger: `logger.warn({ connectionId: 7 }, 'reconnecting')`.
 * pino, bunyan-style adapters and `console`-backed shims all fit.
 */
export interface Logger {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
}

const noop = (): void => {};

/** The default logger: drops everything. */
export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });
