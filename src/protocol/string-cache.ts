// Strings that repeat from packet to packet on one socket (a call's participantRawIDs): the AudioData fast path
// looks them up here by their bytes instead of making a new string per frame. Besides the allocation, a reused
// string keeps its computed hash, so every Map keyed by participant downstream finds it without rehashing.
// One cache per socket, created by the caller (no shared state); it holds at most MAX_ENTRIES strings.

/** How many distinct strings a cache keeps; a call with more participants than this still parses, it only allocates. */
const MAX_ENTRIES = 16;
/** Longer strings are not cached (IDs are ~40 bytes; anything much longer is not an ID worth keeping). */
const MAX_BYTES = 256;

/** Remembers up to 16 short ASCII strings by their bytes; see {@link ParseOptions.strings}. */
export class StringCache {
  private readonly bytes: Uint8Array[] = [];
  private readonly texts: string[] = [];
  /** Where the next new string goes once the cache is full (oldest first). */
  private replaceAt = 0;

  /** The string of bytes[start, end) (latin1), reused when the same bytes were seen before. */
  get(source: Buffer, start: number, end: number, make: (source: Buffer, start: number, end: number) => string): string {
    const length = end - start;
    const cached = this.bytes;
    for (let e = 0; e < cached.length; e++) {
      const candidate = cached[e];
      if (candidate.length !== length) continue;
      // From the end: a call's IDs share their prefix (`8:acs:<resource>_`) and differ in the tail.
      let i = length - 1;
      while (i >= 0 && candidate[i] === source[start + i]) i--;
      if (i < 0) return this.texts[e];
    }
    const text = make(source, start, end);
    if (length > MAX_BYTES) return text;
    const copy = Uint8Array.prototype.slice.call(source, start, end);
    if (cached.length < MAX_ENTRIES) {
      cached.push(copy);
      this.texts.push(text);
    } else {
      cached[this.replaceAt] = copy;
      this.texts[this.replaceAt] = text;
      this.replaceAt = (this.replaceAt + 1) % MAX_ENTRIES;
    }
    return text;
  }
}
