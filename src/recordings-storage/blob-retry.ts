// How the Blob uploader insists: each file is tried up to maxAttempts times with jittered exponential backoff between
// attempts (a waiting backoff ends at once when the uploader closes), and at most `concurrency` files upload at once.
import { setTimeout as sleep } from 'node:timers/promises';

/** When and how long to try again. */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Jitter source in [0, 1). */
  random: () => number;
  /** Aborted: no more attempts, and a waiting backoff ends at once. */
  signal: AbortSignal;
}

/** What the caller hears of each failed attempt. */
export interface RetryHooks {
  /** True for a failure not worth another attempt (e.g. the local file is gone). */
  isFinal(error: unknown): boolean;
  /** Another attempt follows after `delayMs`. */
  onRetry(error: unknown, attempt: number, delayMs: number): void;
  /** No attempt follows: the error is thrown. */
  onGiveUp(error: unknown, attempt: number): void;
}

/** The wait after failed attempt `attempt` (1-based): half of min(maxDelayMs, baseDelayMs · 2^(attempt−1)) fixed, half random. */
export function backoffDelayMs(policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (policy.random() * ceiling) / 2);
}

/** Runs `task` until it resolves, a failure is final, attempts run out or the signal aborts (then its last error is thrown). */
export async function withRetries<T>(task: (attempt: number) => Promise<T>, policy: RetryPolicy, hooks: RetryHooks): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await task(attempt);
    } catch (error) {
      if (attempt >= policy.maxAttempts || hooks.isFinal(error) || policy.signal.aborted) {
        hooks.onGiveUp(error, attempt);
        throw error;
      }
      const delayMs = backoffDelayMs(policy, attempt);
      hooks.onRetry(error, attempt, delayMs);
      await sleep(delayMs, undefined, { signal: policy.signal }).catch(() => undefined);
      if (policy.signal.aborted) throw error;
    }
  }
}

/** Runs at most `limit` tasks at once, in arrival order. */
export function createLimiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/** The HTTP status and storage error code of an Azure SDK error, when it has them. */
export function storageErrorOf(err: unknown): { status: number | undefined; code: string | undefined } {
  const e = err as { statusCode?: number; code?: string; details?: { errorCode?: string } };
  return { status: e?.statusCode, code: e?.details?.errorCode ?? e?.code };
}
