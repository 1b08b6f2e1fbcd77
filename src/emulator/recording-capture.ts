// What a call recording hears, frame by frame, as ACS records it: every participant plus what the app played, mixed
// into one channel or one channel each (unmixed, channels in order of first appearance, the app last); only while
// active, so paused spans are left out. Finished as a WAV file and ACS's metadata document.
import { encodeWav } from '../audio/index.js';
import type { CallAudioFrame } from './media-engine-contract.js';

/** The app's own channel in an unmixed recording, and its participantId in the metadata. */
export const APP_PARTICIPANT_ID = '28:acs:emulator-call-automation-app';
/** A recording keeps at most this many frames (two hours); later frames are counted as dropped. */
const MAX_FRAMES = 2 * 3600 * 50;

/** One recording's audio. */
export interface RecordingCapture {
  /** Adds a frame of the call (called by the engine's tap while the recording is active). */
  write(frame: CallAudioFrame): void;
  /** Adds `ms` of silence (a call without a media stream has no audio to hear). */
  silence(ms: number): void;
  readonly frames: number;
  readonly droppedFrames: number;
  /** The WAV, and the channel of each participant. */
  finish(): { wav: Buffer; channels: Array<{ participantId: string; channel: number }>; durationMs: number };
}

/** Creates a capture at `sampleRate`, mixed (one channel) or unmixed (a channel per participant and the app). */
export function createRecordingCapture(sampleRate: number, channel: 'mixed' | 'unmixed'): RecordingCapture {
  const frameSize = (sampleRate * 20) / 1000;
  /** mixed: one list of frames; unmixed: a list per channel, keyed by raw ID (filled with silence before it joined). */
  const mixed: Int16Array[] = [];
  const perChannel = new Map<string, Int16Array[]>();
  let frames = 0;
  let dropped = 0;
  const silent = new Int16Array(frameSize);

  function channelOf(id: string): Int16Array[] {
    let list = perChannel.get(id);
    if (list === undefined) {
      list = Array.from({ length: frames }, () => silent);
      perChannel.set(id, list);
    }
    return list;
  }

  function mix(frame: CallAudioFrame): Int16Array {
    const out = new Int16Array(frameSize);
    for (let i = 0; i < frameSize; i++) {
      let sum = frame.app[i] ?? 0;
      for (const samples of frame.participants) sum += samples[i] ?? 0;
      out[i] = sum > 32767 ? 32767 : sum < -32768 ? -32768 : sum;
    }
    return out;
  }

  return {
    get frames() {
      return frames;
    },
    get droppedFrames() {
      return dropped;
    },
    write(frame) {
      if (frames >= MAX_FRAMES) {
        dropped++;
        return;
      }
      if (channel === 'mixed') mixed.push(mix(frame));
      else {
        frame.rawIds.forEach((rawId, i) => channelOf(rawId).push(frame.participants[i].slice()));
        channelOf(APP_PARTICIPANT_ID).push(frame.app.slice());
        // A channel nobody wrote this frame (a participant gone from the engine's view) stays aligned.
        for (const list of perChannel.values()) if (list.length <= frames) list.push(silent);
      }
      frames++;
    },
    silence(ms) {
      const count = Math.min(Math.round(ms / 20), MAX_FRAMES - frames);
      for (let n = 0; n < count; n++) {
        if (channel === 'mixed') mixed.push(silent);
        else for (const list of perChannel.values()) list.push(silent);
        frames++;
      }
    },
    finish() {
      const durationMs = frames * 20;
      if (channel === 'mixed' || perChannel.size === 0) {
        const pcm = new Int16Array(frames * frameSize);
        (channel === 'mixed' ? mixed : []).forEach((f, n) => pcm.set(f, n * frameSize));
        return { wav: encodeWav(pcm, sampleRate, 1), channels: [], durationMs };
      }
      // The app's channel goes last, after the participants in order of first appearance.
      const ids = [...perChannel.keys()].filter((id) => id !== APP_PARTICIPANT_ID).concat(APP_PARTICIPANT_ID);
      const lists = ids.map((id) => perChannel.get(id)!);
      const count = ids.length;
      const pcm = new Int16Array(frames * frameSize * count);
      for (let n = 0; n < frames; n++) {
        for (let c = 0; c < count; c++) {
          const f = lists[c][n] ?? silent;
          for (let i = 0; i < frameSize; i++) pcm[(n * frameSize + i) * count + c] = f[i];
        }
      }
      return { wav: encodeWav(pcm, sampleRate, count), channels: ids.map((participantId, channel) => ({ participantId, channel })), durationMs };
    },
  };
}
