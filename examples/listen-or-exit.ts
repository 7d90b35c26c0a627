/**
 * Shared by the examples that serve `/metrics`: listen on 127.0.0.1, and when the port cannot be had
 * (another process holds it, or it needs privileges) print one line saying which port and which flag to
 * pass, then exit 1 without a stack trace.
 */
import type { Server } from 'node:http';

/** Which flag picks the port, and how the user runs this example (for the hint). */
export interface PortHint {
  /** e.g. `--metrics-port` */
  readonly flag: string;
  /** e.g. `npm start --` or `node --import tsx examples/prometheus.ts` */
  readonly command: string;
}

/** Resolves with the port actually bound (useful with port 0); exits the process on EADDRINUSE / EACCES. */
export async function listenOrExit(server: Server, port: number, hint: PortHint): Promise<number> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'is already in use' : code === 'EACCES' ? 'needs privileges' : `cannot be used (${String(code)})`;
    const next = Number.isInteger(port) && port > 0 && port < 65_535 ? String(port + 1) : '9465';
    console.error(`port ${port} on 127.0.0.1 ${why}: pass another with ${hint.flag}, e.g. \`${hint.command} ${hint.flag} ${next}\` (${hint.flag} 0 picks any free port)`);
    process.exit(1);
  }
  return (server.address() as { port: number }).port;
}
