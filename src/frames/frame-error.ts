import { ProtocolError } from '../errors';

/**
 * A frame body (or one of its fields) is not what Kalshi's protocol allows: missing, of the wrong type,
 * or a malformed decimal string. `code` is `KWP_PROTOCOL`, `reason` is `frame-field`, and `field` names
 * the dotted path of the offending field (`msg.price_dollars`, `msg.yes_dollars_fp[2][1]`).
 * @example
 * try { parseFrame(message) } catch (e) { if (e instanceof FrameError) console.warn(e.field) }
 */
export class FrameError extends ProtocolError {
  /** Dotted path of the field that failed, e.g. `msg.delta_fp`; `''` when the whole frame is unreadable. */
  readonly field: string;

  constructor(field: string, message: string) {
    super('frame-field', field === '' ? message : `${field}: ${message}`);
    this.field = field;
  }
}
