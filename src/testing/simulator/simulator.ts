import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { ConfigError } from '../../errors';
import { AccountAwareVerifier, SimAccounts } from './accounts';
import type { SimAccountController } from './accounts';
import { AuthVerifier, generateCredentials, toPublicKeys } from './auth';
import { blast } from './blast';
import type { BlastOptions, BlastResult } from './blast';
import { CommandRouter } from './command-router';
import { Faults } from './faults';
import type { FaultEnv } from './faults';
import { handleUpgrade } from './handshake';
import { MarketUniverse } from './market-universe';
import type { SimMarket } from './market-universe';
import { resolveSimulatorOptions, resolveTraffic } from './options';
import type { ResolvedSimulatorOptions, SimulatorOptions, SimulatorTrafficOptions } from './options';
import { Publisher } from './publisher';
import { PrivateChannels } from './private-channels';
import { REST_BASE_PATH, handleRest } from './rest';
import { handlePortfolio } from './rest-portfolio';
import { SimSession } from './session';
import { StatsCounters } from './stats';
import type { SimulatorStats } from './stats';
import { SubscriptionRegistry } from './sub-registry';
import { TrafficGenerator } from './traffic';
import type { MarketEndEvent, SimBook, SimConnectionInfo, Simulator, SimulatorCredentials } from './types';

const CLOSED_KEPT = 1000;

/** The running simulator; see {@link Simulator} for the contract of each member. */
class KalshiSimulator implements Simulator {
  readonly faults: Faults;
  readonly accounts: SimAccountController;
  url = '';
  restUrl = '';
  port = 0;
  private readonly stats_ = new StatsCounters();
  private readonly universe: MarketUniverse;
  private readonly registry: SubscriptionRegistry;
  private readonly publisher: Publisher;
  private readonly router: CommandRouter;
  private readonly traffic: TrafficGenerator;
  private readonly sessions = new Map<number, SimSession>();
  private readonly faultEnv: FaultEnv;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<Socket>();
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private nextConnectionId = 1;
  private closedIds: number[] = [];
  private closing: Promise<void> | undefined;

  constructor(
    private readonly options: ResolvedSimulatorOptions,
    baseAuth: AuthVerifier,
    readonly credentials: SimulatorCredentials | undefined,
  ) {
    this.universe = new MarketUniverse(options.markets, options.seed);
    this.registry = new SubscriptionRegistry(this.stats_);
    this.publisher = new Publisher(this.universe, this.registry, this.stats_, options.limits.maxBufferedBytes, options.stampSendTime);
    this.faultEnv = {
      sessions: this.sessions,
      publisher: this.publisher,
      universe: this.universe,
      rng: this.universe.rng,
      connectionsPerKey: options.limits.connectionsPerKey,
    };
    this.faults = new Faults(this.faultEnv);
    const simAccounts = new SimAccounts(this.universe);
    const privateChannels = new PrivateChannels(simAccounts, this.sessions);
    const auth = new AccountAwareVerifier(baseAuth, simAccounts, options.timestampWindowMs);
    this.accounts = {
      create: (o) => simAccounts.create(o),
      addKey: (userId, o) => simAccounts.addKey(userId, o),
      revoke: (keyId) => simAccounts.revoke(keyId),
      fill: (userId, o) => simAccounts.fill(userId, o),
      fills: (userId) => [...simAccounts.get(userId).fills],
      drop: (userId) => privateChannels.drop(simAccounts.get(userId)),
      openConnections: (userId) => privateChannels.openConnections(simAccounts.get(userId)),
    };
    this.router = new CommandRouter({
      universe: this.universe,
      registry: this.registry,
      publisher: this.publisher,
      stats: this.stats_,
      limits: options.limits,
      omitIdOnSidErrors: options.omitIdOnSidErrors,
    }, (session, id, params) => privateChannels.subscribe(session, id, params));
    this.traffic = new TrafficGenerator(options.traffic, this.universe, this.registry, this.publisher, {
      addMarket: () => this.addMarket(),
      endRandomMarket: () => {
        const market = this.universe.randomOpen();
        if (market !== undefined) this.removeMarket(market.ticker, 'determined');
      },
    }, this.sessions);
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.limits.maxPayload,
      perMessageDeflate: false,
      // Pongs are answered by hand so a silenced connection stays mute.
      autoPong: false,
    });
    this.server = createServer((req, res) => handleRest(
        {
          faults: this.faults,
          auth,
          stats: this.stats_,
          universe: this.universe,
          portfolio: (rq, rs, url) => handlePortfolio(simAccounts, options.timestampWindowMs, rq, rs, url),
        },
        req,
        res,
      ));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server.on('upgrade', (req, socket, head) =>
      handleUpgrade(
        {
          faults: this.faults,
          auth,
          stats: this.stats_,
          wss: this.wss,
          openByKey: (keyId) => {
            let n = 0;
            for (const s of this.sessions.values()) if (s.open && s.keyId === keyId) n++;
            return n;
          },
          connectionsPerKey: () => this.faultEnv.connectionsPerKey,
          closing: () => this.closing !== undefined,
          accept: (ws, raw, keyId) => this.accept(ws, raw, keyId),
        },
        req,
        socket,
        head,
      ),
    );
  }

  /** Listen, then start the ping and traffic timers. */
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : this.options.port;
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    this.url = `ws://${host}:${this.port}/trade-api/ws/v2`;
    this.restUrl = `http://${host}:${this.port}${REST_BASE_PATH}`;
    if (this.options.pingIntervalMs > 0) {
      this.pingTimer = setInterval(() => this.ping(), this.options.pingIntervalMs);
      this.pingTimer.unref();
    }
    this.traffic.start();
  }

  private accept(ws: WebSocket, socket: Duplex, keyId: string): void {
    const id = this.nextConnectionId++;
    // 'mixed': odd connections use alphabetical envelope keys, even ones type-first, so clients see both.
    const order = this.options.keyOrder;
    const alphabetical = order === 'alphabetical' || (order === 'mixed' && id % 2 === 1);
    const session = new SimSession(id, ws, socket, keyId, this.stats_, alphabetical);
    this.sessions.set(id, session);
    this.stats_.connectionsTotal++;
    ws.on('message', (data) => this.router.onMessage(session, data));
    ws.on('ping', (data) => {
      if (!session.faults.silenced && ws.readyState === 1) ws.pong(data);
    });
    ws.on('error', () => ws.terminate());
    ws.once('close', () => this.onClose(session));
  }

  private onClose(session: SimSession): void {
    session.open = false;
    session.clearTimers();
    this.registry.dropAll(session);
    this.closedIds.push(session.id);
    if (this.closedIds.length > CLOSED_KEPT) {
      const forget = this.closedIds.splice(0, this.closedIds.length - CLOSED_KEPT);
      for (const id of forget) this.sessions.delete(id);
    }
  }

  private ping(): void {
    for (const session of this.sessions.values()) {
      if (!session.writable || session.faults.pingsStopped) continue;
      session.ws.ping('heartbeat');
      this.stats_.pingsSent++;
    }
  }

  get markets(): readonly string[] {
    return this.universe.tickers();
  }

  addMarket(ticker?: string): string {
    if (ticker !== undefined && (typeof ticker !== 'string' || ticker === '')) throw new ConfigError('ticker', 'must be a non-empty string');
    const market = this.universe.add(ticker);
    if (market === undefined) throw new ConfigError('ticker', `${String(ticker)} is already an open market`);
    this.publisher.lifecycle(market, 'created');
    this.publisher.lifecycle(market, 'activated');
    return market.ticker;
  }

  removeMarket(ticker: string, eventType: MarketEndEvent = 'determined'): void {
    if (!['deactivated', 'determined', 'settled'].includes(eventType)) {
      throw new ConfigError('eventType', `must be deactivated, determined or settled, got ${String(eventType)}`);
    }
    const market = this.universe.remove(ticker, eventType === 'deactivated' ? 'closed' : eventType);
    if (market === undefined) throw new ConfigError('ticker', `${ticker} is not an open market`);
    this.publisher.lifecycle(market, eventType);
  }

  connections(): SimConnectionInfo[] {
    return [...this.sessions.values()].map((s) => ({
      id: s.id,
      open: s.open,
      commandsReceived: s.commandsReceived,
      silenced: s.faults.silenced,
      pingsStopped: s.faults.pingsStopped,
      subscriptions: [...s.subs.values()].map((sub) => ({
        sid: sub.sid,
        channel: sub.channel,
        markets: sub.markets.size,
        global: sub.global,
        seq: sub.seq,
        framesSent: sub.framesSent,
      })),
    }));
  }

  book(ticker: string): SimBook | undefined {
    const market = this.universe.get(ticker);
    if (market === undefined) return undefined;
    return { yes: this.universe.books.levels(market.slot, 0), no: this.universe.books.levels(market.slot, 1) };
  }

  connectionsHolding(ticker: string): number[] {
    const market = this.universe.get(ticker);
    if (market === undefined) return [];
    const ids = new Set<number>();
    for (const sub of market.holders ?? []) if (sub.session.open) ids.add(sub.session.id);
    return [...ids].sort((a, b) => a - b);
  }

  stats(): SimulatorStats {
    return this.stats_.snapshot(this.sessions.values(), this.universe.size);
  }

  private known(ticker: string): SimMarket {
    const market = this.universe.get(ticker);
    if (market === undefined) throw new ConfigError('ticker', `${ticker} is not a market of this simulator`);
    this.publisher.clock.refresh();
    return market;
  }

  publishDelta(ticker: string): number {
    return this.publisher.delta(this.known(ticker));
  }

  publishTrade(ticker: string): number {
    return this.publisher.trade(this.known(ticker));
  }

  publishTicker(ticker: string): number {
    return this.publisher.ticker(this.known(ticker));
  }

  setTraffic(traffic: SimulatorTrafficOptions): void {
    if (this.closing === undefined) this.traffic.set(resolveTraffic(traffic));
  }

  blast(options: BlastOptions): Promise<BlastResult> {
    const wanted = options.connections ?? 'all';
    const sessions = [...this.sessions.values()].filter((s) => s.open && (wanted === 'all' || wanted.includes(s.id)));
    return blast(sessions, this.publisher, this.options.limits.maxBufferedBytes, options);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async shutdown(): Promise<void> {
    this.traffic.stop();
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
    for (const session of this.sessions.values()) {
      session.clearTimers();
      if (session.open) session.ws.terminate();
    }
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await serverClosed;
  }
}

const REDACTED_CREDENTIALS = 'SimulatorCredentials { keyId: [redacted], privateKeyPem: [redacted] }';

// Same shape as the signer's redaction: the fields stay readable, but every textual view
// (util.inspect of the simulator, String, JSON) shows the redacted string instead of the key.
const credentialsPrototype: object = Object.freeze({
  toString: (): string => REDACTED_CREDENTIALS,
  toJSON: (): string => REDACTED_CREDENTIALS,
  [Symbol.for('nodejs.util.inspect.custom')]: (): string => REDACTED_CREDENTIALS,
});

function redactedCredentials(keyId: string, privateKeyPem: string): SimulatorCredentials {
  const credentials = Object.create(credentialsPrototype) as SimulatorCredentials;
  Object.defineProperty(credentials, 'keyId', { value: keyId, enumerable: true });
  Object.defineProperty(credentials, 'privateKeyPem', { value: privateKeyPem, enumerable: true });
  return Object.freeze(credentials);
}

/**
 * Start a protocol-faithful Kalshi market-data simulator: WebSocket at `/trade-api/ws/v2` and REST
 * market discovery at `/trade-api/v2/markets` on one port, with signed-handshake checks, Kalshi's
 * seq accounting and error codes, generated traffic and fault injection.
 *
 * @throws {ConfigError} for invalid options (naming the option) or unparsable public keys.
 * @example
 * const sim = await startSimulator({ markets: 50, traffic: { orderbookDeltasPerSecond: 500 } });
 * const signer = createKalshiSigner({ keyId: sim.credentials!.keyId, privateKey: sim.credentials!.privateKeyPem });
 * const ws = new WebSocket(sim.url, { headers: { ...(await signer.headers('GET', '/trade-api/ws/v2')) } });
 * // …
 * await sim.close();
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const resolved = resolveSimulatorOptions(options);
  let credentials: SimulatorCredentials | undefined;
  let keys = resolved.publicKeys === undefined ? undefined : toPublicKeys(resolved.publicKeys);
  if (keys === undefined) {
    const generated = await generateCredentials();
    credentials = redactedCredentials(resolved.keyId ?? generated.keyId, generated.privateKeyPem);
    keys = [generated.publicKey];
  }
  const simulator = new KalshiSimulator(resolved, new AuthVerifier(keys, resolved.keyId, resolved.timestampWindowMs), credentials);
  await simulator.listen();
  return simulator;
}
