/**
 * A frame from the server that breaks RFC 6455 (or our limits). It carries the same `WS_ERR_*` code `ws`
 * gives the same fault, so the client classifies both transports alike (`oversized` for
 * `WS_ERR_UNSUPPORTED_MESSAGE_LENGTH`, `invalid-frame` for the rest, see docs/errors.md), and the close
 * code this side sends before it drops the link (1002 protocol error, 1007 bad UTF-8, 1009 too big).
 */
export class FrameViolation extends RangeError {
  /** `ws`'s error code for the same fault, e.g. `WS_ERR_UNEXPECTED_MASK`. */
  readonly code: string;
  /** Close code sent to the server. */
  readonly closeCode: number;

  constructor(message: string, code: string, closeCode: number) {
    super(`Invalid WebSocket frame: ${message}`);
    this.name = 'FrameViolation';
    this.code = code;
    this.closeCode = closeCode;
  }
}

/** Close codes a peer may put in a close frame (RFC 6455 7.4, plus the registered 1012-1014, and 3000-4999). */
export function isValidCloseCode(code: number): boolean {
  if (code >= 3000 && code <= 4999) return true;
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014);
}
