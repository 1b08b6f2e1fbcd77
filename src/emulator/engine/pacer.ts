// The engine's one scheduler: a single timer paces every stream on a shared 20 ms grid.
// Tick n is due at origin + n × 20 ms / speed, computed from the origin every time (never by adding up timeouts),
// so setTimeout's lateness never accumulates into drift. When the loop wakes late, every tick that has come due
// is run, in order, for every stream: frame counts stay exact whatever the event loop does.
// Streams are spread over the period in slots (1 ms apart at real time, up to 20): each stream gets the emptiest
// slot when it joins and is called at origin + n × period + slot × slotMs. Real calls start at random moments, so
// their 20 ms clocks are out of phase; all streams on one instant would send every frame of the machine in one
// burst, and the last stream of a big tick would be late by the whole burst.
import type { PacingJitter } from '../media-engine-contract.js';

/** Something paced by the scheduler: called once per tick from the tick it joined on. */
export interface PacedClient {
  /** `tick` is the global tick number; `lateMs` how late (wall time) this call is against its due time. */
  onTick(tick: number, lateMs: number): void;
}

/** Percentiles of pacing lateness (send time − due time), in wall milliseconds. */
export type JitterStats = PacingJitter;

/** The scheduler. */
export interface Pacer {
  /** Adds a client; returns the global tick of its first call (the next one of its slot). */
  add(client: PacedClient): number;
  remove(client: PacedClient): void;
  /** Lateness of every tick delivered to every client (since the start, or the last resetJitter). */
  jitter(): JitterStats;
  /** Forgets the lateness recorded so far (a bench measuring steady state leaves out the start-up). */
  resetJitter(): void;
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

/** Slots are at least this far apart (setTimeout's resolution), and there are at most MAX_SLOTS of them. */
const MIN_SLOT_MS = 1;
const MAX_SLOTS = 20;

/** Creates the scheduler. The timer runs only while at least one client is paced. */
export function createPacer(options: PacerOptions = {}): Pacer {
  const speed = options.speed ?? 1;
  const periodMs = (options.frameMs ?? 20) / speed;
  const slotCount = Math.max(1, Math.min(MAX_SLOTS, Math.floor(periodMs / MIN_SLOT_MS)));
  const slotMs = periodMs / slotCount;
  const now = options.now ?? (() => performance.now());
  const slots: PacedClient[][] = Array.from({ length: slotCount }, () => []);
  const slotOf = new Map<PacedClient, number>();
  const histogram = createJitterHistogram();
  let origin = 0;
  /** The last sub-tick run: sub-tick k is slot k % slotCount of tick ⌊k / slotCount⌋, due at origin + k × slotMs. */
  let lastSubTick = 0;
  let timer: NodeJS.Timeout | undefined;
  /** True while run() delivers: it schedules the next wake itself when it is done. */
  let running = false;
  let closed = false;

  function schedule(): void {
    let next = lastSubTick + 1;
    while (slots[next % slotCount].length === 0) next++;
    timer = setTimeout(run, Math.max(0, origin + next * slotMs - now()));
  }

  function run(): void {
    timer = undefined;
    running = true;
    try {
      deliverDue();
    } finally {
      running = false;
    }
    if (slotOf.size > 0 && !closed) schedule();
  }

  function deliverDue(): void {
    const dueSubTick = Math.floor((now() - origin) / slotMs);
    for (let subTick = lastSubTick + 1; subTick <= dueSubTick && slotOf.size > 0; subTick++) {
      // Before the clients run: one added during this sub-tick starts on a later one.
      lastSubTick = subTick;
      const slot = slots[subTick % slotCount];
      if (slot.length === 0) continue;
      const tick = Math.floor(subTick / slotCount);
      const due = origin + subTick * slotMs;
      // A copy: a client may remove itself (stream ended) or others during its tick.
      for (const client of slot.slice()) {
        const lateMs = now() - due;
        histogram.record(lateMs);
        try {
          client.onTick(tick, lateMs);
        } catch (error) {
          options.onClientError?.(error, client);
        }
      }
    }
  }

  function emptiestSlot(): number {
    let best = 0;
    for (let i = 1; i < slotCount; i++) if (slots[i].length < slots[best].length) best = i;
    return best;
  }

  return {
    add(client) {
      if (closed) throw new Error('pacer closed');
      if (slotOf.size === 0 && !running) {
        origin = now();
        lastSubTick = 0;
      }
      const slot = emptiestSlot();
      slots[slot].push(client);
      slotOf.set(client, slot);
      // Its slot may come before the wake already set.
      if (!running) {
        if (timer !== undefined) clearTimeout(timer);
        schedule();
      }
      // The first sub-tick of this slot after the last one run.
      const after = lastSubTick + 1;
      const first = after + ((slot - (after % slotCount) + slotCount) % slotCount);
      return Math.floor(first / slotCount);
    },
    remove(client) {
      const slot = slotOf.get(client);
      if (slot === undefined) return;
      slotOf.delete(client);
      const clients = slots[slot];
      clients.splice(clients.indexOf(client), 1);
      if (slotOf.size === 0 && timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
    },
    jitter: () => histogram.stats(),
    resetJitter: () => histogram.reset(),
    get streams() {
      return slotOf.size;
    },
    close() {
      closed = true;
      for (const clients of slots) clients.length = 0;
      slotOf.clear();
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}

const BUCKET_MS = 0.05;

/** A fixed-size histogram of lateness: 50 µs buckets up to `rangeMs` (later values land in the last bucket; the
 *  maximum is kept exactly), constant memory whatever the run length. The bench uses it for its latencies too. */
export function createJitterHistogram(rangeMs = 1000): { record(ms: number): void; stats(): JitterStats; reset(): void } {
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
    reset() {
      counts.fill(0);
      count = 0;
      max = 0;
    },
    stats: () => ({ count, p50Ms: round3(percentile(0.5)), p99Ms: round3(percentile(0.99)), maxMs: round3(max) }),
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
