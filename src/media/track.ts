// One track's timeline: places frames on the session's 20 ms grid by timestamp, fills gaps with silence, drops
// duplicates, holds frames briefly after a gap so late ones can still be put in place (docs/media.md §Timeline).
import type { AudioDataPacket, SampleRate } from '../protocol/index.js';
import type { AudioFrame } from './contract.js';
import { FRAME_MS, levelDbfs } from '../audio/index.js';

/** Slots remembered behind the commit point to tell a duplicate from a frame that came too late. */
const HISTORY = 1024;

/** Counters a track adds to (the session's counts object; plain numbers). */
export interface TrackCounts {
  gapsFilled: number;
  duplicates: number;
  late: number;
  tooLate: number;
}

/** Where committed frames go, in slot order. */
export interface TrackOutput {
  deliver(frame: AudioFrame): void;
}

/** What a track takes from the session timeline it is on (timeline.ts). */
export interface TrackTimeline {
  readonly sampleRate: SampleRate;
  /** Epoch ms (the frames' clock) of slot 0; it moves at a discontinuity. */
  readonly timelineOriginMs: number | undefined;
  /** How many slots a frame after a gap is held for the gap's frames to arrive. */
  readonly windowSlots: number;
  /** One frame of zeros (never written to). */
  readonly silence: Int16Array;
  readonly output: TrackOutput;
}

/** A track: frames in (any order), committed frames out in slot order, every slot exactly once. */
export class Track {
  readonly id: string;
  readonly participantRawId: string | undefined;
  /** Committed slots (real and filled): the track's length on the timeline. */
  frames = 0;
  /** Real frames committed. */
  private realFrames = 0;
  private nextSlot = 0;
  /** Highest slot of a real frame seen on this track (-1: none). */
  private highest = -1;
  private readonly windowSlots: number;
  private readonly silence: Int16Array;
  private readonly counts: TrackCounts;
  private readonly output: TrackOutput;
  private readonly ring: Array<AudioDataPacket | undefined>;
  private readonly ringSlot: Int32Array;
  private readonly historySlot = new Int32Array(HISTORY).fill(-1);
  private readonly historyReal = new Uint8Array(HISTORY);
  /** Reused for every delivery: sinks copy what they keep (contract.ts AudioFrame). */
  private readonly frame: AudioFrame;

  constructor(
    private readonly timeline: TrackTimeline,
    track: { id: string; participantRawId: string | undefined; counts: TrackCounts },
  ) {
    this.id = track.id;
    this.participantRawId = track.participantRawId;
    this.counts = track.counts;
    this.windowSlots = timeline.windowSlots;
    this.silence = timeline.silence;
    this.output = timeline.output;
    const size = this.windowSlots + 2;
    this.ring = new Array<AudioDataPacket | undefined>(size).fill(undefined);
    this.ringSlot = new Int32Array(size).fill(-1);
    this.frame = {
      trackId: track.id,
      participantRawId: track.participantRawId,
      sampleRate: timeline.sampleRate,
      samples: this.silence,
      timelineMs: 0,
      timestampMs: 0,
      silent: true,
      filled: true,
      levelDbfs: -Infinity,
      talkBack: false,
    };
  }

  /** Mark this track's frames `talkBack: true` (the talk-back track, talk-back-track.ts). */
  /** The oldest slot not committed yet: a frame for an older one comes too late. */
  get openSlot(): number {
    return this.nextSlot;
  }

  asTalkBack(): this {
    this.frame.talkBack = true;
    return this;
  }

  /** Put a frame at its slot and commit what is ready; false when it was dropped (a duplicate, or too late). */
  place(slot: number, packet: AudioDataPacket): boolean {
    if (slot < this.nextSlot) {
      if (this.holds(slot)) this.counts.duplicates++;
      else this.counts.tooLate++;
      return false;
    }
    const late = slot < this.highest;
    if (slot > this.highest) this.highest = slot;
    if (slot === this.nextSlot) {
      this.commitReal(slot, packet);
      this.drain();
    } else {
      // A gap before this frame: commit what is older than the late window, then hold this frame (committing what
      // was held before it may have brought the track up to it).
      if (slot - this.nextSlot > this.windowSlots) this.advanceTo(slot - this.windowSlots);
      const r = slot % this.ring.length;
      if (this.ringSlot[r] === slot) {
        this.counts.duplicates++;
        return false;
      }
      this.ring[r] = packet;
      this.ringSlot[r] = slot;
      if (slot === this.nextSlot) this.drain();
    }
    if (late) this.counts.late++;
    return true;
  }

  /** Commit every slot below `slot` (filling holes with silence), then any frames held right after. */
  advanceTo(slot: number): void {
    while (this.nextSlot < slot) {
      const s = this.nextSlot;
      const r = s % this.ring.length;
      const held = this.ringSlot[r] === s ? this.ring[r] : undefined;
      if (held !== undefined) this.commitReal(s, held);
      else this.commitFilled(s);
    }
    this.drain();
  }

  /** Commit everything held, and fill up to `endSlot` (exclusive) so every track ends at the same point. */
  finish(endSlot: number): void {
    this.advanceTo(Math.max(endSlot, this.highest + 1));
  }

  /** True when a real frame was committed at `slot` (recently enough to be remembered): another one is a duplicate. */
  holds(slot: number): boolean {
    const h = slot % HISTORY;
    return slot < this.nextSlot && this.historySlot[h] === slot && this.historyReal[h] === 1;
  }

  private drain(): void {
    for (;;) {
      const s = this.nextSlot;
      const r = s % this.ring.length;
      const held = this.ring[r];
      if (this.ringSlot[r] !== s || held === undefined) return;
      this.commitReal(s, held);
    }
  }

  private commitReal(slot: number, packet: AudioDataPacket): void {
    const r = slot % this.ring.length;
    if (this.ringSlot[r] === slot) {
      this.ring[r] = undefined;
      this.ringSlot[r] = -1;
    }
    const f = this.frame;
    f.samples = packet.samples;
    f.timelineMs = slot * FRAME_MS;
    f.timestampMs = packet.timestampMs;
    f.silent = packet.silent;
    f.filled = false;
    f.levelDbfs = levelDbfs(packet.samples);
    this.realFrames++;
    this.remember(slot, 1);
    this.output.deliver(f);
  }

  private commitFilled(slot: number): void {
    // Holes between real frames are gaps; silence before a participant's first frame or after its last is not.
    if (this.realFrames > 0 && slot < this.highest) this.counts.gapsFilled++;
    const f = this.frame;
    f.samples = this.silence;
    f.timelineMs = slot * FRAME_MS;
    f.timestampMs = (this.timeline.timelineOriginMs ?? 0) + slot * FRAME_MS;
    f.silent = true;
    f.filled = true;
    f.levelDbfs = -Infinity;
    this.remember(slot, 0);
    this.output.deliver(f);
  }

  private remember(slot: number, real: 0 | 1): void {
    const h = slot % HISTORY;
    this.historySlot[h] = slot;
    this.historyReal[h] = real;
    this.nextSlot = slot + 1;
    this.frames++;
  }
}
