// What the stand-in can know was said. It hears no words: it compares a turn's loudness envelope (10 ms windows, in
// dB) with those of the clips it knows — the bundled speech fixtures the ACS emulator's scripted callers speak, and
// its own reply clips — so a known clip that reached it resampled, louder or quieter, or re-framed is still named.
import type { SpeechFixture } from '../engine/index.js';

/** Envelope floor: quieter windows (and digital silence) count as this, in dBFS. */
const FLOOR_DB = -60;
/** A turn matches a clip when the envelopes correlate at least this well (a clip against itself through the call's path: ≥ 0.99; a tone or another sentence: < 0.9). */
const MATCH_R = 0.95;
const COARSE = 4; // the lag search runs on 40 ms windows first, then refines at 10 ms around the best lag
const COARSE_R = 0.8;
const PHASES = [0, 0.25, 0.5, 0.75]; // sub-window offsets of the known clip, so window boundaries need not line up

/** A word and where it is in its clip. */
export interface TimedWord {
  text: string;
  startMs: number;
  endMs: number;
}

/** A clip whose words are known. */
export interface KnownSpeech {
  name: string;
  text: string;
  words: TimedWord[];
  /** Envelopes at each of PHASES. */
  envelopes: Float32Array[];
  coarse: Float32Array;
}

/** dBFS of one window of samples (its RMS), floored. */
export function windowDb(sumOfSquares: number, n: number): number {
  const rms = Math.sqrt(sumOfSquares / n);
  return rms <= 0 ? FLOOR_DB : Math.max(FLOOR_DB, 20 * Math.log10(rms / 32768));
}

/** The 10 ms loudness envelope of mono PCM16 at `rate`, starting `phase` of a window in. */
export function envelopeOf(samples: Int16Array, rate: number, phase = 0): Float32Array {
  const w = Math.round(rate / 100);
  const start = Math.round(phase * w);
  const out = new Float32Array(Math.max(0, Math.floor((samples.length - start) / w)));
  for (let k = 0; k < out.length; k++) {
    let sum = 0;
    for (let i = start + k * w, end = i + w; i < end; i++) sum += samples[i] * samples[i];
    out[k] = windowDb(sum, w);
  }
  return out;
}

/** Where a clip's voice is: from its first to its last window within 30 dB of its loudest, in ms. */
export function voicedSpan(envelope: Float32Array): { startMs: number; endMs: number } {
  const peak = envelope.reduce((a, b) => Math.max(a, b), FLOOR_DB);
  let first = envelope.findIndex((v) => v > peak - 30);
  let last = envelope.length - 1;
  while (last > 0 && envelope[last] <= peak - 30) last--;
  if (first < 0) first = last = 0;
  return { startMs: first * 10, endMs: (last + 1) * 10 };
}

/** Times the words of `text` over a span in proportion to their length (for clips without word timings). */
export function timeWords(text: string, startMs: number, endMs: number): TimedWord[] {
  const words = text.split(/\s+/).filter(Boolean);
  const total = words.reduce((n, w) => n + w.length + 1, 0);
  let at = 0;
  return words.map((word) => {
    const from = startMs + ((endMs - startMs) * at) / total;
    at += word.length + 1;
    return { text: word, startMs: from, endMs: startMs + ((endMs - startMs) * at) / total };
  });
}

/** The words heard when a clip's audio is cut at `endMs`: those at least half played. */
export function heardText(words: readonly TimedWord[], endMs: number): string {
  return words.filter((w) => (w.startMs + w.endMs) / 2 <= endMs).map((w) => w.text).join(' ');
}

function pool(envelope: Float32Array): Float32Array {
  const out = new Float32Array(Math.floor(envelope.length / COARSE));
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let j = 0; j < COARSE; j++) s += envelope[i * COARSE + j];
    out[i] = s / COARSE;
  }
  return out;
}

/** A known clip from its samples and words. */
export function knownSpeech(name: string, text: string, samples: Int16Array, rate: number, words?: TimedWord[]): KnownSpeech {
  const envelopes = PHASES.map((p) => envelopeOf(samples, rate, p));
  const span = voicedSpan(envelopes[0]);
  const textWords = text.split(/\s+/).filter(Boolean);
  // Fixture words are lower-case and bare; when they line up with the text's words, show the text's spelling.
  const timed = words && words.length > 0
    ? words.map((w, i) => ({ ...w, text: words.length === textWords.length ? textWords[i] : w.text }))
    : timeWords(text, span.startMs, span.endMs);
  return { name, text, words: timed, envelopes, coarse: pool(envelopes[0]) };
}

/** A bundled speech fixture as known speech, with its word timings. */
export function knownFixture(f: SpeechFixture): KnownSpeech {
  const words = f.transcript.words.map((w) => ({ text: w.text, startMs: w.offsetTicks / 1e4, endMs: (w.offsetTicks + w.durationTicks) / 1e4 }));
  return knownSpeech(f.name, f.transcript.text, f.samples, f.sampleRate, words);
}

/** Pearson correlation of `e` with `f` shifted by `lag` windows (outside `f`: silence). */
function correlation(e: Float32Array, f: Float32Array, lag: number): number {
  const n = e.length;
  let sE = 0, sEE = 0, sF = 0, sFF = 0, sEF = 0;
  for (let i = 0; i < n; i++) {
    const j = lag + i;
    const x = e[i];
    const y = j >= 0 && j < f.length ? f[j] : FLOOR_DB;
    sE += x; sEE += x * x; sF += y; sFF += y * y; sEF += x * y;
  }
  const vE = sEE - (sE * sE) / n;
  const vF = sFF - (sF * sF) / n;
  return vE <= 1e-9 || vF <= 1e-9 ? -1 : (sEF - (sE * sF) / n) / Math.sqrt(vE * vF);
}

function bestLag(e: Float32Array, f: Float32Array, from: number, to: number): { r: number; lag: number } {
  let best = { r: -1, lag: 0 };
  for (let lag = from; lag <= to; lag++) {
    const r = correlation(e, f, lag);
    if (r > best.r) best = { r, lag };
  }
  return best;
}

/** Names the known clip a turn's envelope is (whole or in part) and the words it holds, or undefined. */
export function recognize(turn: Float32Array, known: readonly KnownSpeech[]): { name: string; text: string } | undefined {
  if (turn.length < 20) return undefined;
  const coarseTurn = pool(turn);
  let found: { r: number; lag: number; clip: KnownSpeech } | undefined;
  for (const clip of known) {
    const coarse = bestLag(coarseTurn, clip.coarse, 5 - coarseTurn.length, clip.coarse.length - 5);
    if (coarse.r < COARSE_R) continue;
    for (const envelope of clip.envelopes) {
      const fine = bestLag(turn, envelope, coarse.lag * COARSE - 6, coarse.lag * COARSE + 6);
      if (fine.r >= MATCH_R && (!found || fine.r > found.r)) found = { ...fine, clip };
    }
  }
  if (!found) return undefined;
  const fromMs = found.lag * 10;
  const toMs = fromMs + turn.length * 10;
  const words = found.clip.words.filter((w) => (w.startMs + w.endMs) / 2 >= fromMs && (w.startMs + w.endMs) / 2 <= toMs);
  if (words.length === 0) return undefined;
  return { name: found.clip.name, text: words.length === found.clip.words.length ? found.clip.text : words.map((w) => w.text).join(' ') };
}
