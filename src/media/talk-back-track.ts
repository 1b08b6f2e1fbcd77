// The talk-back track: everything the app played into the call (session.play, playStream), as the caller heard it,
// as one more track on the session timeline (trackId `talk-back`, so `talk-back.wav`, in mixdown.wav, on 'audio' with
// `talkBack: true`). A frame is placed when the playout model says ACS played it, at the timeline position of that
// moment; frames StopAudio dropped never arrive (talk-back.ts). It is a Track like a participant's, so it commits in
// step with the others and gaps between playbacks become silence.
import type { Logger } from 'pino';
import type { AudioDataPacket } from '../protocol/index.js';
import type { Track, TrackCounts } from './track.js';
import { FRAME_MS } from '../audio/index.js';

/** The talk-back track's id and file name stem (track-id.ts reserves it: no participant gets it). */
export const TALK_BACK_TRACK_ID = 'talk-back';

/** What the talk-back track needs from its session. */
export interface TalkBackTrackHost {
  /** Epoch ms (ACS's timestamps) of timeline slot 0; undefined before the first inbound frame. */
  readonly timelineOriginMs: number | undefined;
  /** The session timeline position (ms) of hub-clock epoch `ms`; undefined before the first inbound frame. */
  timelineMsAt(ms: number): number | undefined;
  /** A new track on the session's timeline (advanced, finished and summarized with the others). */
  addTrack(trackId: string, counts: TrackCounts): Track;
}

/** Places heard talk-back frames on a Track, created on the first one. */
export class TalkBackTrack {
  track: Track | undefined;
  /** Heard frames that could not be placed: before the timeline's start, or later than the late window. */
  unplaced = 0;
  /** Heard frames placed later than the hub clock said, because the caller's frames ran ahead of it. */
  shifted = 0;
  /** Its own counters: silence between playbacks is not a gap, and its frames are not ACS's. */
  private readonly counts: TrackCounts = { gapsFilled: 0, duplicates: 0, late: 0, tooLate: 0 };
  private lastSlot = -1;

  constructor(
    private readonly host: TalkBackTrackHost,
    private readonly logger: Logger,
  ) {}

  /** A frame the caller heard from hub-clock epoch `startMs`. */
  place(samples: Int16Array, startMs: number): void {
    const timelineMs = this.host.timelineMsAt(startMs);
    const originMs = this.host.timelineOriginMs;
    if (timelineMs === undefined || originMs === undefined) return this.lost('before the first inbound frame');
    let slot = Math.round(timelineMs / FRAME_MS);
    this.track ??= this.host.addTrack(TALK_BACK_TRACK_ID, this.counts).asTalkBack();
    // Frames of one playback are 20 ms apart in the model; never let rounding put two in one slot (nor one before
    // slot 0: lastSlot starts at -1). When the caller's frames run ahead of the hub clock (ACS catching up after a
    // stall sends them faster than real time), the clock's slot may already be committed: the frame goes to the
    // oldest open slot instead of being lost, so what was heard is all recorded, at most a late window off.
    if (slot <= this.lastSlot) slot = this.lastSlot + 1;
    if (slot < this.track.openSlot) {
      slot = this.track.openSlot;
      this.shifted++;
    }
    this.lastSlot = slot;
    const packet: AudioDataPacket = { kind: 'AudioData', timestamp: '', timestampMs: originMs + slot * FRAME_MS, participantRawID: undefined, silent: false, samples };
    if (!this.track.place(slot, packet)) this.lost('later than the late window');
  }

  private lost(why: string): void {
    if (this.unplaced++ === 0) this.logger.warn({ why }, 'media: a heard talk-back frame could not be placed on the timeline (further ones are only counted)');
  }
}
