// A fixed-size latency histogram for the bench's processes: constant memory (allocated before any baseline is
// taken), 50 µs buckets up to 5 s, the exact maximum kept. Values above 5 s land in the last bucket.

/** Percentiles of a latency distribution, in ms. */
export interface LatencyStats {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** A histogram of latencies in ms. */
export interface LatencyHistogram {
  record(ms: number): void;
  stats(): LatencyStats;
}

const BUCKET_MS = 0.05;
const BUCKETS = 100_000;

/** Creates an empty histogram. */
export function createLatencyHistogram(): LatencyHistogram {
  const counts = new Uint32Array(BUCKETS);
  let count = 0;
  let max = 0;
  function percentile(p: number): number {
    if (count === 0) return 0;
    const rank = Math.ceil(p * count);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) return Math.min((i + 1) * BUCKET_MS, max);
    }
    return max;
  }
  return {
    record(ms) {
      const value = ms > 0 ? ms : 0;
      counts[Math.min(BUCKETS - 1, Math.floor(value / BUCKET_MS))]++;
      count++;
      if (value > max) max = value;
    },
    stats: () => ({ count, p50Ms: round3(percentile(0.5)), p99Ms: round3(percentile(0.99)), maxMs: round3(max) }),
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Writes a monotonic time (ns, process.hrtime.bigint — the same clock in every process of the machine) into the
 *  first four samples of a frame, 16 bits each, least significant first. */
export function stampFrame(samples: Int16Array, ns: bigint): void {
  for (let k = 0; k < 4; k++) samples[k] = Number((ns >> BigInt(16 * k)) & 0xffffn) << 16 >> 16;
}

/** Reads the time stampFrame wrote, from the frame's first 8 PCM bytes (little-endian). */
export function readStamp(pcm: Buffer): bigint {
  let ns = 0n;
  for (let k = 3; k >= 0; k--) ns = (ns << 16n) | BigInt(pcm.readUInt16LE(2 * k));
  return ns;
}
