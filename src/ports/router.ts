import type { RawMessage } from '../raw-message';

/**
 * An optional push sink. The pool calls `route` for every delivered message, in order.
 * Returning a promise is backpressure: the next message waits until it settles.
 */
export interface Router {
  /** Handle one message; a returned promise delays the next one. A throw is logged and emitted as a non-fatal `error`. */
  route(message: RawMessage): void | Promise<void>;
}
