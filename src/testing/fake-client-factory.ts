/**
 * `createFakeClientFactory`: a {@link ClientFactory} of {@link FakeClient}s that remembers every client
 * per slot, for tests that drive a connection manager.
 * @packageDocumentation
 */
import type { ClientFactory } from '../client/client';
import { FakeClient } from './fake-client';
import type { FakeClientOptions } from './fake-client';

/** {@link FakeClientOptions} without the ids the factory fills in. */
export type SlotFakeOptions = Omit<FakeClientOptions, 'connectionId' | 'generation'>;

/** Records every {@link FakeClient} a manager builds, per slot. */
export interface FakeClientFactory {
  /** Pass as `clientFactory`. */
  readonly factory: ClientFactory;
  /** Every client built, in order. */
  readonly clients: FakeClient[];
  /** Clients of one slot, oldest first. */
  clientsOf(connectionId: number): FakeClient[];
  /** The newest client of a slot. */
  latest(connectionId: number): FakeClient | undefined;
  /** The next `times` clients of `connectionId` fail to connect with `error`. */
  failConnect(connectionId: number, error: Error, times?: number): void;
}

/**
 * A {@link ClientFactory} building {@link FakeClient}s and remembering them.
 * @param options.configure Called on each new client before the manager sees it (script it here).
 * @example
 * const fakes = createFakeClientFactory();
 * const manager = createConnectionManager({ clientFactory: fakes.factory, registry });
 * fakes.latest(7)?.drop();
 */
export function createFakeClientFactory(
  options: {
    readonly client?: SlotFakeOptions | ((context: { readonly connectionId: number; readonly generation: number }) => SlotFakeOptions);
    readonly configure?: (client: FakeClient) => void;
  } = {},
): FakeClientFactory {
  const clients: FakeClient[] = [];
  const bySlot = new Map<number, FakeClient[]>();
  const connectFailures = new Map<number, Error[]>();
  const factory: ClientFactory = ({ connectionId, generation }) => {
    const base = typeof options.client === 'function' ? options.client({ connectionId, generation }) : options.client;
    const client = new FakeClient({ ...base, connectionId, generation });
    const failure = connectFailures.get(connectionId)?.shift();
    if (failure !== undefined) client.failConnect(failure);
    options.configure?.(client);
    clients.push(client);
    const list = bySlot.get(connectionId) ?? [];
    list.push(client);
    bySlot.set(connectionId, list);
    return client;
  };
  return {
    factory,
    clients,
    clientsOf: (connectionId) => bySlot.get(connectionId) ?? [],
    latest: (connectionId) => bySlot.get(connectionId)?.at(-1),
    failConnect: (connectionId, error, times = 1) => {
      const list = connectFailures.get(connectionId) ?? [];
      for (let i = 0; i < times; i++) list.push(error);
      connectFailures.set(connectionId, list);
    },
  };
}
