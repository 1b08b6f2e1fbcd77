// Recording sinks: one WAV per track (`<trackId>.wav`), and `mixdown.wav` summing every track per slot for unmixed
// sessions. Frames go to memory on write; the hub's timer flushes them to disk about every second.
import { join } from 'node:path';
import type { AudioFrame, Sink } from './contract.js';
import { BudgetedWav, type RecordingTarget } from './recording-budget.js';
import { FRAME_MS, frameSamples } from '../audio/index.js';

/**
 * Watches a recording sink's frames reach the disk (benchmarks measure ingest-to-disk latency with it). Off unless
 * set on the sink: then one call per frame written and two per flush; when off, one undefined check per frame.
 */
export interface RecorderProbe {
  /** A frame was queued for disk. */
  queued(): void;
  /** A flush starts with everything queued so far; the token goes back to `flushed`. */
  flushing(): number;
  /** The flush that returned `token` completed: its bytes were handed to the file and the write returned. */
  flushed(token: number): void;
}

/** Flush/close shared by the recording sinks. A failing disk never makes them throw: their files count the frames
 *  lost and retry (recording-budget.ts), so the sink stays attached and resumes when writes succeed again. */
abstract class WavSink implements Sink {
  abstract readonly name: string;
  /** Optional instrumentation (see RecorderProbe). @default undefined */
  probe: RecorderProbe | undefined = undefined;
  protected closed = false;
  private flushing: Promise<void> | undefined;

  abstract write(frame: AudioFrame): void;
  protected abstract files(): Iterable<BudgetedWav>;
  protected abstract finish(): void;

  /** Write queued frames to disk; at most one flush at a time (a slow disk skips ticks, never piles them up). */
  flush(): Promise<void> {
    if (this.flushing !== undefined || this.closed) return this.flushing ?? Promise.resolve();
    const run = async (): Promise<void> => {
      const token = this.probe?.flushing();
      try {
        await Promise.all(Array.from(this.files(), (f) => f.flush()));
        if (token !== undefined) this.probe?.flushed(token);
      } finally {
        this.flushing = undefined;
      }
    };
    this.flushing = run();
    return this.flushing;
  }

  private closing: Promise<void> | undefined;

  /** Finish every file (headers final, owed silence paid). Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.finishFiles();
    return this.closing;
  }

  private async finishFiles(): Promise<void> {
    this.finish();
    this.closed = true;
    await this.flushing;
    const token = this.probe?.flushing();
    await Promise.all(Array.from(this.files(), (f) => f.close()));
    if (token !== undefined) this.probe?.flushed(token);
  }

  /** Frames lost to failed opens and writes, over this sink's files. */
  get lostFrames(): number {
    let lost = 0;
    for (const f of this.files()) lost += f.lostFrames;
    return lost;
  }

  /** Start every file anew at its place (its folder was deleted under it). */
  async reopenFiles(): Promise<void> {
    if (this.closed) return;
    await Promise.all(Array.from(this.files(), (f) => f.reopen()));
  }
}

/** One WAV per track, named `<trackId>.wav` (track ids are safe file names, see track-id.ts). */
export class Recorder extends WavSink {
  readonly name = 'recorder';
  /** Frames that reached a WAV buffer (not dropped for the budget). */
  framesWritten = 0;
  private readonly wavs = new Map<string, BudgetedWav>();

  constructor(private readonly target: RecordingTarget) {
    super();
  }

  write(frame: AudioFrame): void {
    if (this.closed) return;
    let wav = this.wavs.get(frame.trackId);
    if (wav === undefined) {
      const t = this.target;
      wav = new BudgetedWav(join(t.dir, `${frame.trackId}.wav`), t);
      this.wavs.set(frame.trackId, wav);
    }
    if (wav.append(frame.samples)) {
      this.framesWritten++;
      if (this.probe !== undefined) this.probe.queued();
    }
  }

  /** The file name of a track's WAV, when it has one. */
  fileOf(trackId: string): string | undefined {
    return this.wavs.get(trackId)?.opened === true ? `${trackId}.wav` : undefined;
  }

  protected files(): Iterable<BudgetedWav> {
    return this.wavs.values();
  }

  protected finish(): void {}
}

/**
 * `mixdown.wav`: every track summed per slot, clipped to int16. A slot is written once it is older than the late
 * window behind the newest slot seen, when every track has delivered it (tracks advance together, track.ts).
 */
export class MixRecorder extends WavSink {
  readonly name = 'mix';
  private readonly wav: BudgetedWav;
  private readonly spf: number;
  private readonly size: number;
  private readonly acc: Int32Array;
  /** One view of `acc` per slot, made once (committing a slot makes no view). */
  private readonly accViews: Int32Array[];
  private readonly accSlot: Int32Array;
  /** Per slot: 1 once a sum may have left the int16 range (the commit then clips sample by sample). */
  private readonly accMayClip: Uint8Array;
  private readonly out: Int16Array;
  private readonly silence: Int16Array;
  private nextSlot = 0;
  private maxSlot = -1;

  constructor(
    target: RecordingTarget,
    /** Slots to wait behind the newest before writing (late window + 1). */
    private readonly lagSlots: number,
  ) {
    super();
    this.spf = frameSamples(target.sampleRate);
    this.size = lagSlots + 4;
    this.acc = new Int32Array(this.size * this.spf);
    this.accViews = Array.from({ length: this.size }, (_, r) => this.acc.subarray(r * this.spf, (r + 1) * this.spf));
    this.accSlot = new Int32Array(this.size).fill(-1);
    this.accMayClip = new Uint8Array(this.size);
    this.out = new Int16Array(this.spf);
    this.silence = target.silence;
    this.wav = new BudgetedWav(join(target.dir, 'mixdown.wav'), target);
  }

  write(frame: AudioFrame): void {
    if (this.closed) return;
    const slot = Math.round(frame.timelineMs / FRAME_MS);
    // Slots already written: only a new track's leading silence lands here, which changes nothing.
    if (slot < this.nextSlot) return;
    if (slot >= this.nextSlot + this.size) this.commitBelow(slot - this.size + 1);
    const r = slot % this.size;
    const spf = this.spf;
    const base = r * spf;
    const first = this.accSlot[r] !== slot;
    this.accSlot[r] = slot;
    const s = frame.samples;
    // Filled slots and digital silence (level -Infinity: every sample 0) add nothing.
    const adds = !frame.filled && frame.levelDbfs !== -Infinity;
    if (first) this.accMayClip[r] = 0;
    if (first && adds && s.length === spf) {
      // The slot's first track is copied in (a native int16 → int32 copy), not zeroed and then added.
      this.acc.set(s, base);
    } else {
      if (first) this.acc.fill(0, base, base + spf);
      if (adds) {
        // Locals, not fields, in the per-sample loops: V8 then keeps the arrays in registers. `outside` collects, without
        // a branch, whether any sum left [-32768, 32767] (v + 32768 then has bits above the low 16).
        const acc = this.acc;
        const n = Math.min(s.length, spf);
        let outside = 0;
        for (let i = 0; i < n; i++) {
          const v = acc[base + i] + s[i];
          acc[base + i] = v;
          outside |= (v + 32768) >>> 16;
        }
        if (outside !== 0) this.accMayClip[r] = 1;
      }
    }
    if (slot > this.maxSlot) this.maxSlot = slot;
    this.commitBelow(this.maxSlot - this.lagSlots);
  }

  protected files(): Iterable<BudgetedWav> {
    return [this.wav];
  }

  protected finish(): void {
    this.commitBelow(this.maxSlot + 1);
  }

  private commitBelow(slot: number): void {
    while (this.nextSlot < slot) {
      const s = this.nextSlot;
      const r = s % this.size;
      if (this.accSlot[r] === s) {
        const out = this.out;
        if (this.accMayClip[r] === 0) {
          // Every sum fits int16 (the usual case: speech rarely overlaps at full scale): one native int32 → int16 copy.
          out.set(this.accViews[r]);
        } else {
          const spf = this.spf;
          const base = r * spf;
          const acc = this.acc;
          for (let i = 0; i < spf; i++) {
            const v = acc[base + i];
            out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
          }
        }
        this.wav.append(out);
        this.accSlot[r] = -1;
      } else {
        this.wav.append(this.silence);
      }
      this.nextSlot = s + 1;
    }
  }
}
