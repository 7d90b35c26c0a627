/**
 * Small pieces every simulator-backed test repeats: a simulator closed after the test, a signer for its
 * generated key, and a background reader of a manager's stream.
 */
import { createKalshiSigner } from 'kalshi-ws-pool';
import type { KalshiSigner } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { Simulator, SimulatorOptions } from 'kalshi-ws-pool/testing';
import { closeAfterTest } from './teardown';
import type { Closable } from './teardown';

/** A simulator on 127.0.0.1 port 0, closed after the test (the file calls `closeAfterEach()`). */
export async function simulatorForTest(options: SimulatorOptions = {}): Promise<Simulator> {
  return closeAfterTest(await startSimulator(options));
}

/** A signer for the simulator's generated API key. */
export function signerFor(sim: Simulator): KalshiSigner {
  const credentials = sim.credentials!;
  return createKalshiSigner({ keyId: credentials.keyId, privateKey: credentials.privateKeyPem });
}

/** Reads `source` to its end in the background, handing each item to `each`; settles when the source ends (after `stop()`). */
export function consume<T>(source: AsyncIterable<T>, each: (item: T) => void = () => {}): Promise<void> {
  return (async () => {
    for await (const item of source) each(item);
  })();
}

/** The usual close of a test rig: stop the manager, wait for its reader to end, then close `rest` in order (the simulator last). */
export async function stopReadClose(manager: { stop(): Promise<void> }, reading: Promise<void>, ...rest: Closable[]): Promise<void> {
  await manager.stop();
  await reading;
  for (const closable of rest) await closable.close();
}
