import { EventEmitter } from 'eventemitter3';
import type { ClientEmitter, ClientEvents } from './client';

/** Typed `emit` over {@link ClientEvents}. */
export interface ClientEventEmit {
  /** Emit one event to its listeners; true when there were any. */
  emit<E extends keyof ClientEvents>(event: E, ...args: Parameters<ClientEvents[E]>): boolean;
}

/**
 * eventemitter3's `EventEmitter`, typed as the port's {@link ClientEmitter} plus a typed `emit`.
 * eventemitter3's own generic listener types (`EventEmitter<ClientEvents>`) are not assignable to the
 * port's `listener: ClientEvents[E]` signatures, so the class is re-typed once here; at runtime it is
 * exactly `EventEmitter`.
 */
export const ClientEventEmitter = EventEmitter as unknown as new () => ClientEmitter & ClientEventEmit;
