import type { RawMessage } from '../raw-message';

/**
 * An optional push sink. The pool calls `route` for every delivered message, in order.
 * Returning a promise is backpressure: the next message waits until it settles.
 */
export interface Router {
  route(message: RawMessage): void | Promise<void>;
}
