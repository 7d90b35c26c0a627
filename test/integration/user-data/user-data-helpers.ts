import { createKalshiSigner, createMemoryAccountSource, createUserDataManager } from 'kalshi-ws-pool';
import type { MemoryAccountSource, UserDataManager, UserDataManagerOptions, UserDataMessage } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { SimAccountCredentials, Simulator, SimulatorOptions } from 'kalshi-ws-pool/testing';
import { recordingLogger } from '../../helpers/logger';
import type { LogLine } from '../../helpers/logger';
import { consume, stopReadClose } from '../../helpers/simulator';
import { closeAfterTest } from '../../helpers/teardown';

export type { LogLine };

export interface UserDataRig {
  sim: Simulator;
  source: MemoryAccountSource;
  manager: UserDataManager;
  /** Simulator credentials by opaque account id. */
  creds: Map<string, SimAccountCredentials>;
  messages: UserDataMessage[];
  logs: LogLine[];
  /** Add an account to the simulator and the source (a new key each call for the same id = re-key). */
  addAccount(id: string, existing?: SimAccountCredentials): Promise<SimAccountCredentials>;
  close(): Promise<void>;
}

type Extra = Partial<Omit<UserDataManagerOptions, 'url' | 'accounts'>>;

/** Simulator + in-memory source + manager with fast admission and short backoff; collects messages; closed after the test (the file calls `closeAfterEach()`). */
export async function startRig(accountIds: readonly string[], extra: Extra = {}, simOptions: SimulatorOptions = {}): Promise<UserDataRig> {
  const sim = await startSimulator({ markets: 20, pingIntervalMs: 0, traffic: { orderbookDeltasPerSecond: 0, tradesPerSecond: 0, tickersPerSecond: 0 }, ...simOptions });
  const source = createMemoryAccountSource();
  const creds = new Map<string, SimAccountCredentials>();
  const logs: LogLine[] = [];
  const addAccount = async (id: string, existing?: SimAccountCredentials): Promise<SimAccountCredentials> => {
    const c = existing === undefined ? await sim.accounts.create() : await sim.accounts.addKey(existing.userId);
    creds.set(id, c);
    source.set({ id, signer: createKalshiSigner({ keyId: c.keyId, privateKey: c.privateKeyPem }) });
    return c;
  };
  for (const id of accountIds) await addAccount(id);
  const manager = createUserDataManager({
    url: sim.url,
    accounts: source,
    admission: { dialsPerSecond: 200, burst: 20, jitterMs: 0 },
    reconnect: { initialDelayMs: 10, maxDelayMs: 100, stableAfterMs: 60_000 },
    closeTimeoutMs: 500,
    logger: recordingLogger(logs),
    ...extra,
  });
  const messages: UserDataMessage[] = [];
  await manager.start();
  const reading = consume(manager, (m) => messages.push(m));
  return closeAfterTest({
    sim,
    source,
    manager,
    creds,
    messages,
    logs,
    addAccount,
    close: () => stopReadClose(manager, reading, sim),
  });
}

/** Fill ids delivered for an account, in delivery order (socket frames and backfills). */
export function deliveredFillIds(messages: readonly UserDataMessage[], accountId: string): string[] {
  const ids: string[] = [];
  for (const m of messages) {
    if (m.accountId !== accountId || m.type !== 'fill') continue;
    const body = JSON.parse(Buffer.from(m.data).toString('utf8')) as { msg: { fill_id?: string; trade_id?: string } };
    ids.push(body.msg.fill_id ?? body.msg.trade_id ?? '?');
  }
  return ids;
}
