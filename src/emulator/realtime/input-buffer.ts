// The input audio buffer and its server VAD: an energy detector over 10 ms windows, on the buffer's own clock (ms of
// audio appended since the connection opened), which is the clock `audio_start_ms`/`audio_end_ms` are on. It also
// keeps the loudness envelope of the turn in progress, for recognizing known clips (known-speech.ts).
import { windowDb } from './known-speech.js';
import { RATE, type TurnDetection } from './session-config.js';

const WINDOW = 240; // 10 ms at 24 kHz
const WINDOW_MS = 10;
/** Windows kept from before a speech onset, so the envelope holds the turn's start. */
const PREROLL_WINDOWS = 30;
/** A turn's envelope keeps at most this many windows (60 s). */
const MAX_WINDOWS = 6000;

/** What the VAD tells the session. */
export interface VadListener {
  /** Speech began; `startMs` is the onset minus the prefix padding. */
  speechStarted(startMs: number): void;
  /** `silence_duration_ms` of quiet after speech, ending at `endMs`. */
  speechStopped(endMs: number): void;
}

export class InputBuffer {
  /** Ms of audio appended since the connection opened. */
  clockMs = 0;
  /** Ms appended since the last commit or clear. */
  pendingMs = 0;
  /** Windows whole so far: audio short of a window waits in `carry` for the next append. */
  private windows = 0;
  private readonly carry = new Int16Array(WINDOW);
  private carried = 0;
  private speechAt: number | undefined;
  private silenceMs = 0;
  private envelope: number[] = [];

  /** Adds pcm16 24 kHz audio; with `vad` set, runs the detector over it. */
  append(pcm: Buffer, vad: TurnDetection | null, listener: VadListener): void {
    const n = pcm.length >> 1;
    const ms = (n * 1000) / RATE;
    this.clockMs += ms;
    this.pendingMs += ms;
    const samples = pcm.byteOffset % 2 === 0 ? new Int16Array(pcm.buffer, pcm.byteOffset, n) : Int16Array.from({ length: n }, (_, i) => pcm.readInt16LE(i * 2));
    let off = 0;
    if (this.carried > 0) {
      const take = Math.min(WINDOW - this.carried, n);
      this.carry.set(samples.subarray(0, take), this.carried);
      this.carried += take;
      off = take;
      if (this.carried < WINDOW) return;
      this.carried = 0;
      this.window(this.carry, vad, listener);
    }
    for (; off + WINDOW <= n; off += WINDOW) this.window(samples.subarray(off, off + WINDOW), vad, listener);
    if (off < n) {
      this.carry.set(samples.subarray(off), 0);
      this.carried = n - off;
    }
  }

  private window(w: Int16Array, vad: TurnDetection | null, listener: VadListener): void {
    let sum = 0;
    for (let i = 0; i < w.length; i++) sum += w[i] * w[i];
    this.windows++;
    const endMs = this.windows * WINDOW_MS;
    this.keep(windowDb(sum, w.length), vad !== null);
    if (!vad) return;
    // Energy VAD: threshold 0.5 ≈ RMS above -40 dBFS; 0 hears everything, 1 only shouting.
    const loud = Math.sqrt(sum / w.length) > 32768 * 0.02 * Number(vad.threshold ?? 0.5);
    if (this.speechAt === undefined) {
      if (!loud) return;
      this.speechAt = endMs - WINDOW_MS;
      this.silenceMs = 0;
      this.envelope = this.envelope.slice(-PREROLL_WINDOWS - 1);
      listener.speechStarted(Math.max(0, Math.round(this.speechAt - Number(vad.prefix_padding_ms ?? 300))));
    } else if (loud) this.silenceMs = 0;
    else if ((this.silenceMs += WINDOW_MS) >= Number(vad.silence_duration_ms ?? 500)) {
      this.speechAt = undefined;
      listener.speechStopped(endMs);
    }
  }

  /** Keeps a window's loudness: between turns (with VAD) only the pre-roll, in a turn (or without VAD) up to MAX_WINDOWS. */
  private keep(db: number, vad: boolean): void {
    this.envelope.push(db);
    const limit = vad && this.speechAt === undefined ? PREROLL_WINDOWS : MAX_WINDOWS;
    if (this.envelope.length > 2 * limit) this.envelope = this.envelope.slice(-limit);
  }

  /** The buffer was committed (by the VAD or the client): nothing is pending. Returns the turn's loudness envelope. */
  committed(): Float32Array {
    const envelope = Float32Array.from(this.envelope);
    this.pendingMs = 0;
    this.speechAt = undefined;
    this.envelope = [];
    return envelope;
  }

  /** `input_audio_buffer.clear`: pending audio and any speech in progress are dropped. */
  clear(): void {
    this.pendingMs = 0;
    this.speechAt = undefined;
    this.envelope = [];
  }
}
