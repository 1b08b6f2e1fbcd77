// The input audio buffer and its server VAD: an energy detector over 10 ms windows, on the buffer's own clock (ms of
// audio appended since the connection opened), which is the clock `audio_start_ms`/`audio_end_ms` are on.
import { RATE, type TurnDetection } from './session-config.js';

const WINDOW = 240; // 10 ms at 24 kHz

/** What the VAD tells the session. */
export interface VadListener {
  /** Speech began; `startMs` is the onset minus the prefix padding. */
  speechStarted(startMs: number): void;
  /** `silence_duration_ms` of quiet after speech. */
  speechStopped(): void;
}

export class InputBuffer {
  /** Ms of audio appended since the connection opened. */
  clockMs = 0;
  /** Ms appended since the last commit or clear. */
  pendingMs = 0;
  private speechAt: number | undefined;
  private silenceMs = 0;

  /** Adds pcm16 24 kHz audio; with `vad` set, runs the detector over it. */
  append(pcm: Buffer, vad: TurnDetection | null, listener: VadListener): void {
    const samples = pcm.length >> 1;
    if (!vad) {
      const ms = (samples * 1000) / RATE;
      this.clockMs += ms;
      this.pendingMs += ms;
      return;
    }
    const threshold = Number(vad.threshold ?? 0.5);
    const silenceNeeded = Number(vad.silence_duration_ms ?? 500);
    const prefix = Number(vad.prefix_padding_ms ?? 300);
    // Energy VAD: threshold 0.5 ≈ RMS above -40 dBFS; 0 hears everything, 1 only shouting.
    const limit = 32768 * 0.02 * threshold;
    for (let off = 0; off < samples; off += WINDOW) {
      const n = Math.min(WINDOW, samples - off);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const v = pcm.readInt16LE((off + i) * 2);
        sum += v * v;
      }
      const loud = Math.sqrt(sum / n) > limit;
      const wms = (n * 1000) / RATE;
      this.clockMs += wms;
      this.pendingMs += wms;
      if (this.speechAt === undefined) {
        if (loud) {
          this.speechAt = this.clockMs - wms;
          this.silenceMs = 0;
          listener.speechStarted(Math.max(0, Math.round(this.speechAt - prefix)));
        }
      } else if (loud) this.silenceMs = 0;
      else if ((this.silenceMs += wms) >= silenceNeeded) {
        this.speechAt = undefined;
        listener.speechStopped();
      }
    }
  }

  /** The buffer was committed (by the VAD or the client): nothing is pending. */
  committed(): void {
    this.pendingMs = 0;
    this.speechAt = undefined;
  }

  /** `input_audio_buffer.clear`: pending audio and any speech in progress are dropped. */
  clear(): void {
    this.pendingMs = 0;
    this.speechAt = undefined;
  }
}
