// The engine's one scheduler: a single timer paces every stream on a shared 20 ms grid.
// Tick n is due at origin + n × 20 ms / speed, computed from the origin every time (never by adding up timeouts),
// so setTimeout's lateness never accumulates into drift. When the loop wakes late, every tick that has come due
// is run, in order, for every stream: frame counts stay exact whatever the event loop does.
import type { PacingJitter } from '../media-engine-contract.js';

/** Something paced by the scheduler: called once per tick from the tick it joined on. */
export interface PacedClient {
  /** `tick` is the global tick number; `lateMs` how late (wall time) this call is against the tick's due time. */
  onTick(tick: number, lateMs: number): void;
}

/** Percentiles of pacing lateness (send time − due time), in wall milliseconds. */
export type JitterStats = PacingJitter;

/** The scheduler. */
export interface Pacer {
  /** Adds a client; returns the global tick of its first call (the next tick on the grid). */
  add(client: PacedClient): number;
  remove(client: PacedClient): void;
  /** Lateness of every tick delivered to every client. */
  jitter(): JitterStats;
  readonly streams: number;
  close(): void;
}

/** Options of the scheduler. */
export interface PacerOptions {
  /** Playback speed (2 = twice real time). @default 1 */
  speed?: number;
  /** Frame period in call milliseconds. @default 20 */
  frameMs?: number;
  /** Monotonic wall clock in ms. @default performance.now */
  now?: () => number;
  /** Called when a client throws; the other clients go on. */
  onClientError?: (error: unknown, client: PacedClient) => void;
}

/** Creates the scheduler. The timer runs only while at least one client is paced. */
export function createPacer(options: PacerOptions = {}): Pacer {
  const speed = options.speed ?? 1;
  const periodMs = (options.frameMs ?? 20) / speed;
  const now = options.now ?? (() => performance.now());
  const clients: PacedClient[] = [];
  const histogram = createJitterHistogram();
  let origin = 0;
  let lastTick = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  function schedule(): void {
    const delay = Math.max(0, origin + (lastTick + 1) * periodMs - now());
    timer = setTimeout(run, delay);
  }

  function run(): void {
    timer = undefined;
    const dueTick = Math.floor((now() - origin) / periodMs);
    for (let tick = lastTick + 1; tick <= dueTick && clients.length > 0; tick++) {
      const due = origin + tick * periodMs;
      // Before the clients run: one added during this tick starts on the next.
      lastTick = tick;
      // A copy: a client may remove itself (stream ended) or others during its tick.
      for (const client of clients.slice()) {
        const lateMs = now() - due;
        histogram.record(lateMs);
        try {
          client.onTick(tick, lateMs);
        } catch (error) {
          options.onClientError?.(error, client);
        }
      }
    }
    if (clients.length > 0 && !closed) schedule();
  }

  return {
    add(client) {
      if (closed) throw new Error('pacer closed');
      if (clients.length === 0 && timer === undefined) {
        origin = now();
        lastTick = 0;
        schedule();
      }
      clients.push(client);
      return lastTick + 1;
    },
    remove(client) {
      const index = clients.indexOf(client);
      if (index >= 0) clients.splice(index, 1);
      if (clients.length === 0 && timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
    },
    jitter: () => histogram.stats(),
    get streams() {
      return clients.length;
    },
    close() {
      closed = true;
      clients.length = 0;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}

const BUCKET_MS = 0.05;

/** A fixed-size histogram of lateness: 50 µs buckets up to `rangeMs` (later values land in the last bucket; the
 *  maximum is kept exactly), constant memory whatever the run length. The bench uses it for its latencies too. */
export function createJitterHistogram(rangeMs = 1000): { record(ms: number): void; stats(): JitterStats } {
  const buckets = Math.round(rangeMs / BUCKET_MS);
  const counts = new Uint32Array(buckets);
  let count = 0;
  let max = 0;
  function percentile(p: number): number {
    if (count === 0) return 0;
    const rank = Math.ceil(p * count);
    let seen = 0;
    for (let i = 0; i < buckets; i++) {
      seen += counts[i];
      if (seen >= rank) return Math.min((i + 1) * BUCKET_MS, max);
    }
    return max;
  }
  return {
    record(ms) {
      const value = ms > 0 ? ms : 0;
      counts[Math.min(buckets - 1, Math.floor(value / BUCKET_MS))]++;
      count++;
      if (value > max) max = value;
    },
    stats: () => ({ count, p50Ms: round3(percentile(0.5)), p99Ms: round3(percentile(0.99)), maxMs: round3(max) }),
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
