/** An AbortSignal that counts its listeners, for leak checks. */

/** Counts the abort listeners a signal holds (added minus removed). */
export function countedSignal(): { readonly signal: AbortSignal; readonly listeners: () => number } {
  const signal = new AbortController().signal;
  let listeners = 0;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((...args: Parameters<typeof add>) => {
    listeners++;
    add(...args);
  }) as typeof signal.addEventListener;
  signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
    listeners--;
    remove(...args);
  }) as typeof signal.removeEventListener;
  return { signal, listeners: () => listeners };
}
