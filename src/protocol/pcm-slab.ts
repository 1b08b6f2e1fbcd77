// Memory for decoded PCM frames. A fresh ArrayBuffer per 640-byte frame costs microseconds in V8 (each one is an
// external backing store), so frames are carved from 32 KiB slabs, the way Node's Buffer pool works. A region is
// handed out once and never written again by us: each packet owns its PCM, and nothing a later parse does can
// change it. The cost: a frame kept alive keeps its slab alive. This bump pointer is the protocol module's only
// state, and no result depends on it.

const SLAB_BYTES = 32 * 1024;
/** Chunks larger than this get memory of their own instead of a slab region. */
const LARGEST_SLAB_CHUNK = 4 * 1024;

let slab: ArrayBuffer | undefined;
let used = 0;

/** A zero-based Int16Array of `sampleCount` samples (byteOffset a multiple of 8) that no one else will write. */
export function allocatePcm(sampleCount: number): Int16Array {
  const bytes = sampleCount * 2;
  if (bytes > LARGEST_SLAB_CHUNK) return new Int16Array(sampleCount);
  if (slab === undefined || used + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    used = 0;
  }
  const view = new Int16Array(slab, used, sampleCount);
  used += (bytes + 7) & ~7;
  return view;
}
