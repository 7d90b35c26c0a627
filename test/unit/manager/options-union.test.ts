/**
 * Type tests for the manager options union: exactly one of `clientFactory` or `url` + `signer`.
 * `tsc --noEmit` checks the `@ts-expect-error` lines (an unused one is an error); vitest runs the rest.
 */
import { createConnectionManager, createMemoryRegistry } from 'kalshi-ws-pool';
import type { ClientFactory, ConnectionManagerOptions, KalshiSigner, ManagerClientOptions, ManagerDialOptions, ManagerFactoryOptions } from 'kalshi-ws-pool';
import { createFakeClientFactory } from 'kalshi-ws-pool/testing';
import { describe, expectTypeOf, it } from 'vitest';

const registry = createMemoryRegistry();
const factory: ClientFactory = createFakeClientFactory().factory;
const signer: KalshiSigner = { headers: async () => ({ 'KALSHI-ACCESS-KEY': 'k', 'KALSHI-ACCESS-TIMESTAMP': '1', 'KALSHI-ACCESS-SIGNATURE': 's' }) };
const url = 'wss://example.test/trade-api/ws/v2';

describe('ConnectionManagerOptions union', () => {
  it('accepts clientFactory alone, or url + signer (with client options)', () => {
    expectTypeOf({ clientFactory: factory, registry }).toExtend<ConnectionManagerOptions>();
    expectTypeOf({ url, signer, registry }).toExtend<ConnectionManagerOptions>();
    expectTypeOf({ url, signer, registry, client: { dialTimeoutMs: 5_000 } }).toExtend<ManagerDialOptions>();
    expectTypeOf<ManagerFactoryOptions>().toExtend<ConnectionManagerOptions>();
  });

  it('rejects mixes and half-given dial options', () => {
    expectTypeOf({ clientFactory: factory, url, signer, registry }).not.toExtend<ConnectionManagerOptions>();
    expectTypeOf({ url, registry }).not.toExtend<ConnectionManagerOptions>();
    expectTypeOf({ signer, registry }).not.toExtend<ConnectionManagerOptions>();
    expectTypeOf({ clientFactory: factory, registry, client: {} }).not.toExtend<ConnectionManagerOptions>();
    expectTypeOf({ clientFactory: factory }).not.toExtend<ConnectionManagerOptions>();
  });

  it('rejects the same mistakes in object literals', () => {
    // @ts-expect-error clientFactory and url + signer together
    const both: ConnectionManagerOptions = { clientFactory: factory, url, signer, registry };
    // @ts-expect-error url without signer
    const noSigner: ConnectionManagerOptions = { url, registry };
    // @ts-expect-error the manager sets url, signer and connectionId of its clients itself
    const clientUrl: ConnectionManagerOptions = { url, signer, registry, client: { url } };
    // @ts-expect-error a typo is an excess property
    const typo: ConnectionManagerOptions = { clientFactory: factory, registry, reconect: {} };
    expectTypeOf([both, noSigner, clientUrl, typo]).toBeArray();
  });

  it('is what createConnectionManager takes, and the client options leave url, signer and connectionId to the manager', () => {
    expectTypeOf(createConnectionManager).parameter(0).toEqualTypeOf<ConnectionManagerOptions>();
    expectTypeOf<ManagerFactoryOptions['url']>().toEqualTypeOf<undefined>();
    expectTypeOf<ManagerFactoryOptions['client']>().toEqualTypeOf<undefined>();
    expectTypeOf<ManagerDialOptions['clientFactory']>().toEqualTypeOf<undefined>();
    expectTypeOf<ManagerClientOptions>().not.toHaveProperty('url');
    expectTypeOf<ManagerClientOptions>().not.toHaveProperty('signer');
    expectTypeOf<ManagerClientOptions>().not.toHaveProperty('connectionId');
    expectTypeOf<ManagerClientOptions>().toHaveProperty('commandTimeoutMs');
  });
});
