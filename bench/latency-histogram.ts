// A fixed-size latency histogram for the bench's processes: constant memory (allocated before any baseline is
// taken), 50 µs buckets up to 5 s, the exact maximum kept. Values above 5 s land in the last bucket.
import { createJitterHistogram, type JitterStats } from '../src/emulator/engine/pacer.js';

/** Percentiles of a latency distribution, in ms (the emulator pacer's histogram, reused). */
export type LatencyStats = JitterStats;

/** A histogram of latencies in ms. */
export type LatencyHistogram = ReturnType<typeof createJitterHistogram>;

/** Creates an empty histogram: 50 µs buckets up to 5 s. */
export function createLatencyHistogram(): LatencyHistogram {
  return createJitterHistogram(5000);
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
