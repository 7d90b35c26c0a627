/**
 * The floor of `for await` per item on this Node and machine: an async iterator that hands out
 * pre-made results as already-resolved promises (no queue, no work), against the same items read in
 * batches of 350 with one await per batch, and a plain loop. Whatever the SDK does, `for await` over
 * single messages cannot cost less than the first number. Prints the minimum over rounds.
 *
 *   npx tsx bench/micro/for-await-floor.ts [--items 2000000] [--rounds 7]
 */
function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}

const items = flag('items', 2_000_000);
const rounds = flag('rounds', 7);
const BATCH = 350;
const results = Array.from({ length: 1024 }, (_, value) => ({ done: false as const, value }));
const finished: Promise<IteratorResult<number>> = Promise.resolve({ done: true, value: undefined });

function single(n: number): AsyncIterableIterator<number> {
  let i = 0;
  const iterator: AsyncIterableIterator<number> = {
    next: () => (i < n ? Promise.resolve(results[i++ & 1023]!) : finished),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

function batched(n: number): AsyncIterableIterator<number[]> {
  let i = 0;
  const batch = Array.from({ length: BATCH }, (_, k) => k);
  const iterator: AsyncIterableIterator<number[]> = {
    next: () => (i < n ? ((i += BATCH), Promise.resolve({ done: false, value: batch })) : Promise.resolve({ done: true, value: undefined })),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

function nsPerItem(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / items;
}

const best = { single: Infinity, batched: Infinity, loop: Infinity };
let sum = 0;
for (let round = 0; round < rounds; round++) {
  let started = process.hrtime.bigint();
  for await (const value of single(items)) sum += value;
  best.single = Math.min(best.single, nsPerItem(started));
  started = process.hrtime.bigint();
  for await (const batch of batched(items)) for (const value of batch) sum += value;
  best.batched = Math.min(best.batched, nsPerItem(started));
  started = process.hrtime.bigint();
  for (let i = 0; i < items; i++) sum += results[i & 1023]!.value;
  best.loop = Math.min(best.loop, nsPerItem(started));
}
console.log(
  `node ${process.version}: for await per item ${best.single.toFixed(1)} ns, batches of ${BATCH} ${best.batched.toFixed(1)} ns/item, ` +
    `plain loop ${best.loop.toFixed(1)} ns/item (checksum ${sum % 1000})`,
);
