// What the model hears: the caller side of the call as one 24 kHz stream. Mixed calls pass through (16 kHz is
// resampled with src/audio's polyphase resampler, never linear interpolation); unmixed calls are summed per 20 ms
// timeline slot, so the model hears everyone at once; talk-back frames (what we played) are never included.
// Silent frames are sent too: server VAD ends a turn on silence, so dropping them would leave turns open.
import { createResampler, type Resampler } from '../audio/index.js';
import type { AudioFrame } from '../media/index.js';

/** Sample rate the realtime model takes (pcm16 24 kHz). */
export const MODEL_RATE = 24000;

/** Sums unmixed participants per slot and converts to 24 kHz; `emit` gets each 20 ms of model input (reused). */
export class CallerAudio {
  private resampler: Resampler | undefined;
  private rate = 0;
  private slotMs = -1;
  private slotFrames = 0;
  private readonly tracks = new Set<string>();
  private sum = new Int32Array(0);
  private mixed = new Int16Array(0);
  /** Frames of a slot already sent (arrived too late to be summed). */
  late = 0;

  constructor(private readonly emit: (samples: Int16Array) => void) {}

  /** Takes one committed frame of the session ('audio' event). */
  accept(frame: AudioFrame): void {
    if (frame.talkBack) return;
    if (frame.participantRawId === undefined) {
      this.out(frame.samples, frame.sampleRate);
      return;
    }
    this.tracks.add(frame.trackId);
    if (frame.timelineMs < this.slotMs) {
      this.late++;
      return;
    }
    if (frame.timelineMs > this.slotMs) {
      if (this.slotFrames > 0) this.flush(frame.sampleRate);
      this.slotMs = frame.timelineMs;
      if (this.sum.length !== frame.samples.length) this.sum = new Int32Array(frame.samples.length);
    }
    const s = frame.samples;
    const sum = this.sum;
    for (let i = 0; i < s.length; i++) sum[i] += s[i];
    if (++this.slotFrames >= this.tracks.size) this.flush(frame.sampleRate);
  }

  private flush(rate: number): void {
    const n = this.sum.length;
    if (this.mixed.length !== n) this.mixed = new Int16Array(n);
    const sum = this.sum;
    const mixed = this.mixed;
    for (let i = 0; i < n; i++) {
      const v = sum[i];
      mixed[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
      sum[i] = 0;
    }
    this.slotFrames = 0;
    // The slot is done: a later frame for it counts as late rather than opening it again.
    this.slotMs += 1;
    this.out(mixed, rate);
  }

  private out(samples: Int16Array, rate: number): void {
    if (rate === MODEL_RATE) return this.emit(samples);
    if (this.rate !== rate || this.resampler === undefined) {
      this.resampler = createResampler(rate, MODEL_RATE);
      this.rate = rate;
    }
    const out = this.resampler.push(samples);
    if (out.length > 0) this.emit(out);
  }
}
