/**
 * A tiny request/response protocol over Node's IPC channel (`process.send`), used between the
 * orchestrator and its server and client child processes. Every request has a deadline.
 */
import type { ChildProcess } from 'node:child_process';

/** A JSON-serialisable value crossing the IPC channel. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json | undefined };

interface Request {
  readonly rpc: 'req';
  readonly id: number;
  readonly method: string;
  readonly params: Json;
}

interface Response {
  readonly rpc: 'res';
  readonly id: number;
  readonly ok: boolean;
  readonly result?: Json;
  readonly error?: string;
}

function isResponse(value: unknown): value is Response {
  return typeof value === 'object' && value !== null && (value as { rpc?: unknown }).rpc === 'res';
}

function isRequest(value: unknown): value is Request {
  return typeof value === 'object' && value !== null && (value as { rpc?: unknown }).rpc === 'req';
}

/** The parent's handle on a child: `call(method, params, timeoutMs)`. */
export interface RpcPeer {
  call<T extends Json>(method: string, params: Json, timeoutMs: number): Promise<T>;
}

/** Wraps a forked/spawned child that has an IPC channel. Calls reject on timeout or child exit. */
export function rpcPeer(child: ChildProcess, name: string): RpcPeer {
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: Json) => void; reject: (error: Error) => void }>();
  child.on('message', (message: unknown) => {
    if (!isResponse(message)) return;
    const entry = pending.get(message.id);
    if (entry === undefined) return;
    pending.delete(message.id);
    if (message.ok) entry.resolve(message.result ?? null);
    else entry.reject(new Error(`${name}: ${message.error ?? 'failed'}`));
  });
  child.once('exit', (code, signal) => {
    for (const entry of pending.values()) entry.reject(new Error(`${name} exited (code ${code}, signal ${signal})`));
    pending.clear();
  });
  return {
    call<T extends Json>(method: string, params: Json, timeoutMs: number): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}.${method} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value as T);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        const request: Request = { rpc: 'req', id, method, params };
        child.send(request, (error) => {
          if (error === null) return;
          clearTimeout(timer);
          pending.delete(id);
          reject(error);
        });
      });
    },
  };
}

/** A child-side method: receives the params, returns the result. */
export type RpcHandler = (params: Json) => Promise<Json> | Json;

/**
 * Serves `handlers` on this process's IPC channel. The process exits when the parent goes away,
 * so no child outlives its orchestrator.
 */
export function serveRpc(handlers: Readonly<Record<string, RpcHandler>>, onDisconnect: () => void): void {
  if (process.send === undefined) throw new Error('no IPC channel: start this file from bench/run.ts');
  process.on('disconnect', onDisconnect);
  process.on('message', (message: unknown) => {
    if (!isRequest(message)) return;
    const handler = handlers[message.method];
    const reply = (response: Response): void => {
      if (process.connected) process.send?.(response);
    };
    if (handler === undefined) {
      reply({ rpc: 'res', id: message.id, ok: false, error: `unknown method ${message.method}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.params))
      .then(
        (result) => reply({ rpc: 'res', id: message.id, ok: true, result }),
        (error: unknown) =>
          reply({ rpc: 'res', id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
  });
}
