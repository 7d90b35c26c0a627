/**
 * Deterministic market tickers shared by the orchestrator, the server and the clients, so a million
 * tickers never cross the IPC channel: each process rebuilds the same list from a count.
 */

/** The `index`-th bench ticker, e.g. `KXBENCH-26AUG19-M000042` (realistic length, ~24 chars). */
export function benchTicker(index: number): string {
  return `KXBENCH-26AUG19-M${String(index).padStart(7, '0')}`;
}

/** Tickers `[start, start + count)`. */
export function benchTickers(count: number, start = 0): string[] {
  const list = new Array<string>(count);
  for (let i = 0; i < count; i++) list[i] = benchTicker(start + i);
  return list;
}

/** Splits `count` tickers into `connections` consecutive lists of `perConnection`. */
export function tickersPerConnection(connections: number, perConnection: number): string[][] {
  const lists: string[][] = [];
  for (let c = 0; c < connections; c++) lists.push(benchTickers(perConnection, c * perConnection));
  return lists;
}
