// A frame's packets for the media socket (docs/protocol.md §1): AudioData — one mixed frame without a participant,
// or one frame per participant with its participantRawID — then any DTMF pressed during the frame. The PCM buffers
// are allocated once per stream and reused; each packet's text is the only allocation per frame.
//
// Unmixed silent-frame policy (docs/protocol.md §6 leaves it open): with `send` (the default) every participant gets
// a frame every 20 ms, `silent: true` while not speaking — a steady, countable stream; with `omit` only frames that
// hold sound are sent, as a dominant-speaker mixer would, and receivers must fill the gaps themselves.
import { isSilence, mixFrames } from '../../audio/index.js';
import { formatTimestamp, serializePacket } from '../../protocol/index.js';
import type { CallAudio } from './call-audio.js';
import type { OutgoingMessage } from './outbox.js';
import { FRAME_MS } from '../../audio/index.js';

/** Builds each frame's packets for one stream. */
export interface FramePackets {
  /** Frame `frame`'s packets, stamped `epochMs + frame × 20 ms` (DTMF: the exact moment of the press). */
  build(frame: number, epochMs: number): OutgoingMessage[];
  /** Each participant's PCM for frame `frame` (rendered once per frame; views reused by the next frame). */
  render(frame: number): readonly Int16Array[];
}

/** What shapes a stream's frames. */
export interface FramePacketOptions {
  sampleRate: number;
  channel: 'mixed' | 'unmixed';
  dtmf: boolean;
  unmixedSilentFrames: 'send' | 'omit';
}

/** The key DTMF packets carry in the outbox (not a participant, not `mixed`). */
export const DTMF_KEY = '#dtmf';

/** Creates the frame builder of a stream. */
export function createFramePackets(audio: CallAudio, options: FramePacketOptions): FramePackets {
  const frameSize = (options.sampleRate * FRAME_MS) / 1000;
  const participants = audio.participants;
  const buffers = participants.map(() => new Int16Array(frameSize));
  const dtmfNext = participants.map(() => 0);
  let mixed: Int16Array = new Int16Array(frameSize);
  let rendered = -1;

  function render(frame: number): readonly Int16Array[] {
    // A participant who joined since the last frame (addParticipant) gets its buffers now.
    while (buffers.length < participants.length) {
      buffers.push(new Int16Array(frameSize));
      dtmfNext.push(0);
    }
    if (rendered !== frame) {
      for (let i = 0; i < participants.length; i++) audio.renderFrame(i, frame, buffers[i]);
      rendered = frame;
    }
    return buffers;
  }

  function audioPackets(timestamp: string, timestampMs: number, into: OutgoingMessage[]): void {
    if (options.channel === 'mixed') {
      mixed = mixFrames(buffers, mixed);
      const text = serializePacket({
        kind: 'AudioData',
        timestamp,
        timestampMs,
        participantRawID: undefined,
        silent: isSilence(mixed),
        samples: mixed,
      });
      into.push({ key: 'mixed', text, audio: true });
      return;
    }
    for (let i = 0; i < participants.length; i++) {
      if (participants[i].left) continue;
      const silent = isSilence(buffers[i]);
      if (silent && options.unmixedSilentFrames === 'omit') continue;
      const rawId = participants[i].rawId;
      const text = serializePacket({
        kind: 'AudioData',
        timestamp,
        timestampMs,
        participantRawID: rawId,
        silent,
        samples: buffers[i],
      });
      into.push({ key: rawId, text, audio: true });
    }
  }

  function dtmfPackets(frame: number, epochMs: number, into: OutgoingMessage[]): void {
    for (let i = 0; i < participants.length; i++) {
      const presses = participants[i].dtmf;
      while (dtmfNext[i] < presses.length && presses[dtmfNext[i]].frame <= frame) {
        const { tone, atMs } = presses[dtmfNext[i]++];
        if (!options.dtmf) continue;
        const text = serializePacket({
          kind: 'DtmfData',
          tone,
          data: tone,
          timestamp: formatTimestamp(epochMs + atMs),
          timestampMs: epochMs + atMs,
          participantRawID: participants[i].rawId,
        });
        into.push({ key: DTMF_KEY, text, audio: false });
      }
    }
  }

  return {
    build(frame, epochMs) {
      const timestampMs = epochMs + frame * FRAME_MS;
      const messages: OutgoingMessage[] = [];
      render(frame);
      audioPackets(formatTimestamp(timestampMs), timestampMs, messages);
      dtmfPackets(frame, epochMs, messages);
      return messages;
    },
    render,
  };
}
