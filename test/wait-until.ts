// The tests' one way to wait for something asynchronous: poll a predicate instead of sleeping a guessed time, and on
// timeout fail with what was awaited (and what was seen), so a broken test reports instead of hanging.

/** How long and how often waitUntil polls, and what it says when it gives up. */
export interface WaitUntilOptions {
  /** Give up after this many ms. @default 10000 */
  timeoutMs?: number;
  /** Between polls, in ms; 0 polls on every turn of the event loop (setImmediate). @default 10 */
  intervalMs?: number;
  /** What is awaited, for the timeout error; a function is called at timeout so it can describe the state seen. */
  message?: string | (() => string);
}

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/**
 * Resolves with the predicate's first truthy result; rejects after `timeoutMs` with "timed out after … waiting for
 * <message>". A predicate that throws rejects at once.
 */
export async function waitUntil<T>(predicate: () => T | Promise<T>, options: WaitUntilOptions = {}): Promise<Truthy<T>> {
  const { timeoutMs = 10_000, intervalMs = 10, message = 'a condition' } = options;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value as Truthy<T>;
    if (performance.now() >= deadline) {
      const what = typeof message === 'function' ? message() : message;
      throw new Error(`waitUntil: timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => (intervalMs > 0 ? setTimeout(resolve, intervalMs) : setImmediate(resolve)));
  }
}
