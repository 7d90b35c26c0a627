import type { RawData } from 'ws';
import { clampTimerDelay } from '../../ports/clock';
import { replyError } from './command-env';
import type { CommandEnv, ParsedCommand } from './command-env';
import { listSubscriptions, subscribe, unsubscribe } from './command-subscribe';
import { updateSubscription } from './command-update';
import type { SimSession } from './session';

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/**
 * Turns inbound frames into commands: parses them (JSON.parse is fine here, this is the server side),
 * answers error 1 for frames that are not a JSON object, applies the connection's command faults
 * (ignore, fail, delay) and dispatches to the handlers (error 5 for unknown commands).
 */
export class CommandRouter {
  constructor(
    private readonly env: CommandEnv,
    /** Answers a subscribe naming only private channels (returns true); see private-channels.ts. */
    private readonly privateSubscribe?: (session: SimSession, id: number, params: Record<string, unknown> | undefined) => boolean,
  ) {}

  /** Handle one inbound frame of a connection. */
  onMessage(session: SimSession, data: RawData): void {
    const { stats } = this.env;
    if (!session.open) return;
    const faults = session.faults;
    if (faults.silenced) {
      // A half-open link: the command never reaches the server.
      stats.commandsLost++;
      return;
    }
    session.commandsReceived++;
    let parsed: unknown;
    try {
      parsed = JSON.parse(textOf(data));
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      stats.command('<invalid>');
      return replyError(this.env, session, 0, 1);
    }
    const fields = parsed as Record<string, unknown>;
    const id = fields['id'] ?? 0;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
      stats.command('<invalid>');
      return replyError(this.env, session, 0, 1);
    }
    const cmd = typeof fields['cmd'] === 'string' ? fields['cmd'] : '<none>';
    stats.command(cmd);
    const params = fields['params'];
    if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
      return replyError(this.env, session, id, 11);
    }
    const command: ParsedCommand = { id, cmd, params: params as Record<string, unknown> | undefined };

    if (faults.ignoreRemaining > 0) {
      faults.ignoreRemaining--;
      stats.commandsIgnored++;
      return;
    }
    const rule = faults.failRules.find((r) => r.remaining > 0 && (r.cmd === undefined || r.cmd === cmd));
    if (rule !== undefined) {
      rule.remaining--;
      if (rule.remaining <= 0) faults.failRules = faults.failRules.filter((r) => r !== rule);
      return replyError(this.env, session, id, rule.code);
    }
    if (faults.delayRemaining > 0) {
      faults.delayRemaining--;
      const timer = setTimeout(() => {
        session.timers.delete(timer);
        if (session.open) this.execute(session, command);
      }, clampTimerDelay(faults.delayMs));
      session.timers.add(timer);
      return;
    }
    this.execute(session, command);
  }

  /** Run a command now; its replies and snapshots leave in one corked write. */
  execute(session: SimSession, command: ParsedCommand): void {
    session.socket.cork();
    try {
      this.dispatch(session, command);
    } finally {
      session.socket.uncork();
    }
  }

  private dispatch(session: SimSession, command: ParsedCommand): void {
    switch (command.cmd) {
      case 'subscribe':
        if (this.privateSubscribe?.(session, command.id, command.params) === true) return;
        return subscribe(this.env, session, command);
      case 'unsubscribe':
        return unsubscribe(this.env, session, command);
      case 'update_subscription':
        return updateSubscription(this.env, session, command);
      case 'list_subscriptions':
        return listSubscriptions(this.env, session, command);
      default:
        return replyError(this.env, session, command.id, 5);
    }
  }
}
