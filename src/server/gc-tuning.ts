// V8 decides per allocation site whether new objects should start in the old generation ("pretenuring"), from how
// many of them survived a young-generation GC. Under streaming load it comes to the wrong answer for the frame path:
// a burst where a frame's objects (the ws message buffer, the parsed packet) survive one scavenge tips their sites
// to "tenure", and from then on every frame's objects, dead within microseconds, land in the old generation. The
// old generation then fills with garbage and a mark-compact runs every ~250 ms instead of every few seconds.
// Measured with `npm run bench` at 200 calls × 2 (bench/README.md): 38 mark-compacts in a 10 s run against 15, and
// about 4 µs less CPU per frame (median of six paired runs, 34.0 against 39.0 µs/frame).

import { setFlagsFromString } from 'node:v8';

/**
 * Turns V8's allocation-site pretenuring off for this whole process (`--no-allocation-site-pretenuring`), which
 * makes the media server's per-frame objects die young, as they should. Call it once, first thing, from the
 * process's entry point (`acs-audio serve` does); it affects every isolate's later decisions, so a library must not
 * call it on its own. Equivalent to starting Node with `node --no-allocation-site-pretenuring`.
 */
export function tuneGcForStreaming(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}
