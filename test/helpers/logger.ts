/** A logger for tests that records every line it is given. */
import type { LogFields, Logger } from 'kalshi-ws-pool';

/** One recorded log line (`fields` is a copy taken when it was logged). */
export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: LogFields;
  readonly message: string;
}

/** A `Logger` that appends every line to `lines` (a new array unless given), also exposed as `.lines`. */
export function recordingLogger(lines: LogLine[] = []): Logger & { readonly lines: LogLine[] } {
  const at =
    (level: LogLine['level']) =>
    (fields: LogFields, message: string): void => {
      lines.push({ level, fields: { ...fields }, message });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
