// Memory for decoded PCM frames. A fresh ArrayBuffer per 640-byte frame costs microseconds in V8 (each one is an
// external backing store), so frames are carved from 32 KiB slabs, the way Node's Buffer pool works. A region is
// handed out once and never written again by us: each packet owns its PCM, and nothing a later parse does can
// change it. The cost: a frame kept alive keeps its slab alive. This bump pointer is the protocol module's only
// state, and no result depends on it.

const SLAB_BYTES = 32 * 1024;
/** Chunks larger than this get memory of their own instead of a slab region. */
const LARGEST_SLAB_CHUNK = 4 * 1024;

let slab: ArrayBuffer = new ArrayBuffer(0);
let slabBytes: Buffer = Buffer.from(slab);
let used = 0;

/**
 * Reserves `byteCount` bytes (at most 4 KiB) and returns their offset in the current slab; use `currentSlabBytes()` /
 * `slabSamples()` after this call, as it may have started a new slab. Offsets are multiples of 8.
 */
export function reservePcmBytes(byteCount: number): number {
  if (used + byteCount > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabBytes = Buffer.from(slab);
    used = 0;
  }
  const offset = used;
  used += (byteCount + 7) & ~7;
  return offset;
}

/** A Buffer over the current slab (for native decoders writing into a reservation). */
export function currentSlabBytes(): Buffer {
  return slabBytes;
}

/** An Int16Array over `sampleCount` samples at `offset` of the current slab. */
export function slabSamples(offset: number, sampleCount: number): Int16Array {
  return new Int16Array(slab, offset, sampleCount);
}

/** A zero-based Int16Array of `sampleCount` samples (byteOffset a multiple of 8) that no one else will write. */
export function allocatePcm(sampleCount: number): Int16Array {
  const bytes = sampleCount * 2;
  if (bytes > LARGEST_SLAB_CHUNK) return new Int16Array(sampleCount);
  return slabSamples(reservePcmBytes(bytes), sampleCount);
}

/** Whether `byteCount` bytes are small enough for a slab region. */
export function fitsSlab(byteCount: number): boolean {
  return byteCount <= LARGEST_SLAB_CHUNK;
}
