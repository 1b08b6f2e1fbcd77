// A session's timeline: one clock for all its tracks (origin, late window, newest slot), the tracks by participant,
// and what keeps bad input off them: the jump check, the gap-fill bounds, re-anchoring on a run of frames off the
// timeline (docs/media.md §Timeline) and each track's frame-rate limit. Session.accept → Timeline.place → Track.place.
import type { Logger } from 'pino';
import type { AudioDataPacket, SampleRate } from '../protocol/index.js';
import type { ParticipantEvent } from './contract.js';
import type { MediaCounters } from './counters.js';
import { createTrackId } from './track-id.js';
import { Track, type TrackCounts, type TrackOutput, type TrackTimeline } from './track.js';
import type { TalkBackTrackHost } from './talk-back-track.js';
import { FRAME_MS } from '../audio/index.js';

/** A run of frames off the timeline this long (by their timestamps) re-anchors it on them. */
const REANCHOR_AFTER_MS = 1000;
/** Discontinuities listed in session.json; further ones are only counted. */
const MAX_LISTED_DISCONTINUITIES = 100;

/** The hub settings a timeline follows. */
export interface TimelineSettings {
  now: () => number;
  logger: Logger;
  lateWindowMs: number;
  maxTimestampJumpMs: number;
  maxGapFillMs: number;
  channel: 'auto' | 'mixed' | 'unmixed';
  maxParticipants: number;
  maxFrameRate: number;
  frameRateWindowS: number;
  counters: MediaCounters;
}

/** Counters a timeline adds to (the session's counts object). */
export interface TimelineCounts extends TrackCounts {
  discontinuities: number;
  reanchors: number;
}

/** What the timeline tells its session. */
export interface TimelineEvents {
  /** The first frame fixed the channel, before any frame is delivered; tracks commit `windowSlots` behind the newest. */
  started(channel: 'mixed' | 'unmixed', windowSlots: number): void;
  /** A track joined the timeline. */
  participant(event: ParticipantEvent): void;
}

/** Why a frame was refused (counted by reason by the session; 'frame_rate_limit' also closes the socket). */
export interface TimelineRejection {
  reason: 'bad_length' | 'timestamp_jump' | 'participant_limit' | 'frame_rate_limit';
  detail: string;
}

/** A point where the timeline did not follow the frames' clock (session.json `discontinuities`). */
export interface TimelineDiscontinuity {
  /** 'gap': a gap too long to fill was skipped; 'reanchor': the timeline moved to the clock of a run of frames off it. */
  kind: 'gap' | 'reanchor';
  /** Where the timeline continues (the frame placed right after the newest slot). */
  timelineMs: number;
  /** That frame's timestamp minus the one the timeline expected there (negative: the clock went back). */
  skippedMs: number;
  expectedTimestamp: string;
  /** That frame's wire timestamp. */
  timestamp: string;
}

/** One track's frame-rate limit: a token bucket on arrival time, so a sustained flood is refused while ACS's own
 *  catch-up after a reconnect fits the burst. */
class FrameRateLimit {
  private tokens: number;
  private checkedAt: number;

  constructor(
    private readonly rate: number,
    private readonly capacity: number,
  ) {
    this.tokens = capacity;
    this.checkedAt = 0;
  }

  /** Take one frame's token at `now`; false when the track is over its rate. */
  take(now: number): boolean {
    const tokens = Math.min(this.capacity, this.tokens + ((now - this.checkedAt) * this.rate) / 1000);
    this.checkedAt = now;
    if (tokens < 1) {
      this.tokens = tokens;
      return false;
    }
    this.tokens = tokens - 1;
    return true;
  }
}

/** A participant's track and its rate limit. */
interface Lane {
  track: Track;
  rate: FrameRateLimit;
}

/** The shared 20 ms grid of one audio session. Starts at its first frame. */
export class Timeline implements TrackTimeline, TalkBackTrackHost {
  readonly windowSlots: number;
  readonly discontinuities: TimelineDiscontinuity[] = [];
  private readonly trackList: Track[] = [];
  private readonly lanes = new Map<string | undefined, Lane>();
  private readonly takenTrackIds = new Set<string>();
  private channelValue: 'mixed' | 'unmixed' | undefined;
  private originMs: number | undefined;
  /** Hub-clock epoch ms of timeline slot 0: maps talk-back and app transcripts onto the timeline. */
  private anchorMs = 0;
  private highestSlot = -1;
  /** Further behind the newest slot than this (late window + maxGapFillMs), a frame is off the timeline. */
  private readonly behindSlots: number;
  /** Hub-clock epoch ms of the first frame, and the gap silence filled since: the per-session fill bound. */
  private startedAtMs = 0;
  private filledGapMs = 0;
  /** The run of frames off the timeline that would re-anchor it: its first and newest timestamps. */
  private runActive = false;
  private runFirstMs = 0;
  private runNewestMs = 0;

  readonly sampleRate: SampleRate;
  readonly silence: Int16Array;
  /** TrackTimeline: where every track delivers (the session's sink fan-out). */
  readonly output: TrackOutput;
  private readonly counts: TimelineCounts;
  private readonly events: TimelineEvents;

  constructor(
    private readonly settings: TimelineSettings,
    session: {
      counts: TimelineCounts;
      events: TimelineEvents;
      frames: TrackOutput;
      sampleRate: SampleRate;
      /** One frame of zeros at `sampleRate`, shared with the recording (never written to). */
      silence: Int16Array;
    },
  ) {
    this.counts = session.counts;
    this.events = session.events;
    this.output = session.frames;
    this.sampleRate = session.sampleRate;
    this.silence = session.silence;
    this.windowSlots = Math.max(0, Math.ceil(settings.lateWindowMs / FRAME_MS));
    this.behindSlots = this.windowSlots + Math.ceil(settings.maxGapFillMs / FRAME_MS);
  }

  /** 'mixed' or 'unmixed' once the first frame decided it. */
  get channel(): 'mixed' | 'unmixed' | undefined {
    return this.channelValue;
  }

  /** Every track, in order of appearance (the talk-back track among them). */
  get tracks(): readonly Track[] {
    return this.trackList;
  }

  /** TrackTimeline, TalkBackTrackHost: epoch ms (the frames' clock) of slot 0; undefined before the first frame. */
  get timelineOriginMs(): number | undefined {
    return this.originMs;
  }

  /** TalkBackTrackHost: the timeline position (ms) of hub-clock epoch `ms`; undefined before the first frame. */
  timelineMsAt(ms: number): number | undefined {
    return this.originMs === undefined ? undefined : ms - this.anchorMs;
  }

  /** Put a frame on its track; then every track commits what is older than the late window. Undefined: accepted
   *  (placed, or counted as a duplicate or too late). */
  place(packet: AudioDataPacket): TimelineRejection | undefined {
    if (packet.samples.length !== this.silence.length) return { reason: 'bad_length', detail: `${packet.samples.length} samples, expected ${this.silence.length}` };
    if (this.originMs === undefined) this.start(packet);
    let slot = Math.round((packet.timestampMs - (this.originMs as number)) / FRAME_MS);
    const jump = (slot - this.highestSlot) * FRAME_MS > this.settings.maxTimestampJumpMs;
    if (slot < 0 || jump || slot < this.highestSlot - this.behindSlots) {
      if (!jump && slot >= 0 && this.lanes.get(this.keyOf(packet.participantRawID))?.track.holds(slot) === true) {
        this.counts.duplicates++;
        return undefined;
      }
      if (!this.continuesRun(packet.timestampMs)) {
        if (jump) return { reason: 'timestamp_jump', detail: `timestamp ${packet.timestamp} jumps ${((slot - this.highestSlot) * FRAME_MS) / 1000} s ahead` };
        this.counts.tooLate++;
        return undefined;
      }
      slot = this.highestSlot + 1;
      this.shiftTo(slot, 'reanchor', packet);
    }
    this.runActive = false;
    const lane = this.laneFor(packet.participantRawID);
    if (lane === undefined) return { reason: 'participant_limit', detail: `more than ${this.settings.maxParticipants} participants` };
    if (!lane.rate.take(this.settings.now())) return { reason: 'frame_rate_limit', detail: `track ${lane.track.id} sent more than ${this.settings.maxFrameRate} frames/s` };
    const gapMs = (slot - this.highestSlot - 1) * FRAME_MS;
    if (gapMs > 0) {
      // Bounded per gap and per session (no more silence than time has passed, plus one gap): past either, the
      // timeline skips the gap instead of writing minutes of zeros on every track.
      const budgetMs = this.settings.maxGapFillMs + this.settings.now() - this.startedAtMs;
      if (gapMs > this.settings.maxGapFillMs || this.filledGapMs + gapMs > budgetMs) {
        slot = this.highestSlot + 1;
        this.shiftTo(slot, 'gap', packet);
      } else {
        this.filledGapMs += gapMs;
      }
    }
    if (slot > this.highestSlot) this.highestSlot = slot;
    lane.track.place(slot, packet);
    const commitBelow = this.highestSlot - this.windowSlots;
    const tracks = this.trackList;
    for (let i = 0; i < tracks.length; i++) tracks[i].advanceTo(commitBelow);
    return undefined;
  }

  /** TalkBackTrackHost: the talk-back track joins the timeline like a participant (not rate-limited: it is ours). */
  addTrack(trackId: string, counts: TrackCounts): Track {
    const track = new Track(this, { id: trackId, participantRawId: undefined, counts });
    this.trackList.push(track);
    this.events.participant({ trackId, participantRawId: undefined });
    return track;
  }

  /** Commit everything held and fill every track to the newest slot, so all of them end at the same point. */
  finish(): void {
    for (let i = 0; i < this.trackList.length; i++) this.trackList[i].finish(this.highestSlot + 1);
  }

  private start(packet: AudioDataPacket): void {
    this.originMs = packet.timestampMs;
    this.anchorMs = this.settings.now();
    this.startedAtMs = this.anchorMs;
    const configured = this.settings.channel;
    this.channelValue = configured !== 'auto' ? configured : packet.participantRawID ? 'unmixed' : 'mixed';
    this.events.started(this.channelValue, this.windowSlots);
  }

  /** An off-timeline frame at `timestampMs`: true when it completes a run of consistent ones long enough to re-anchor. */
  private continuesRun(timestampMs: number): boolean {
    const follows = timestampMs >= this.runNewestMs - this.settings.lateWindowMs - FRAME_MS && timestampMs <= this.runNewestMs + this.settings.maxGapFillMs;
    if (this.runActive && follows) {
      if (timestampMs > this.runNewestMs) this.runNewestMs = timestampMs;
    } else {
      this.runActive = true;
      this.runFirstMs = timestampMs;
      this.runNewestMs = timestampMs;
    }
    return this.runNewestMs - this.runFirstMs >= REANCHOR_AFTER_MS;
  }

  /** A discontinuity: `packet` goes at `slot` (right after the newest one), and the timeline's clock follows it. */
  private shiftTo(slot: number, kind: TimelineDiscontinuity['kind'], packet: AudioDataPacket): void {
    const expectedMs = (this.originMs as number) + slot * FRAME_MS;
    this.originMs = packet.timestampMs - slot * FRAME_MS;
    this.anchorMs = this.settings.now() - slot * FRAME_MS;
    this.runActive = false;
    if (kind === 'gap') this.counts.discontinuities++;
    else this.counts.reanchors++;
    this.settings.counters.discontinuity(kind);
    const entry: TimelineDiscontinuity = { kind, timelineMs: slot * FRAME_MS, skippedMs: packet.timestampMs - expectedMs, expectedTimestamp: new Date(expectedMs).toISOString(), timestamp: packet.timestamp };
    if (this.discontinuities.length < MAX_LISTED_DISCONTINUITIES) this.discontinuities.push(entry);
    if (this.counts.discontinuities + this.counts.reanchors === 1) {
      this.settings.logger.warn(entry, 'media: timeline discontinuity (each is counted and listed in session.json; further ones are not logged)');
    }
  }

  /** The key of a participant's track: one track for mixed audio, `unknown` for frames without a participant. */
  private keyOf(rawId: string | undefined): string | undefined {
    return this.channelValue === 'mixed' ? undefined : rawId || undefined;
  }

  /** The participant's track, created on first sight; undefined for a new participant past the limit. */
  private laneFor(rawId: string | undefined): Lane | undefined {
    const key = this.keyOf(rawId);
    const existing = this.lanes.get(key);
    if (existing !== undefined) return existing;
    // One speaker too many loses that speaker's frames (rejected as participant_limit, counted, logged once), not the
    // call: closing the socket would drop every track, and again after each reconnect. The talk-back track counts
    // too, so maxParticipants bounds the session's open WAV files.
    if (this.trackList.length >= this.settings.maxParticipants) return undefined;
    const trackId = this.channelValue === 'mixed' ? 'mixed' : key === undefined ? 'unknown' : createTrackId(key, this.takenTrackIds);
    const track = new Track(this, { id: trackId, participantRawId: key, counts: this.counts });
    const lane: Lane = { track, rate: new FrameRateLimit(this.settings.maxFrameRate, this.settings.maxFrameRate * this.settings.frameRateWindowS) };
    this.trackList.push(track);
    this.lanes.set(key, lane);
    this.events.participant({ trackId, participantRawId: key });
    return lane;
  }
}
