// The call's audio as a recorder hears it (EngineStream.listen): each participant's frame plus the app's audio,
// which ACS queues and plays in real time, so one frame of it is taken per tick. Idle (no parsing, no copies) until a
// listener is attached.
import { parseOutboundPacket } from '../../protocol/index.js';
import type { CallAudioListener } from '../media-engine-contract.js';

/** At most this much of the app's audio waits to be heard (about 60 s at 16 kHz); more is dropped and counted. */
const MAX_QUEUED_SAMPLES = 16_000 * 60;

/** One stream's tap. */
export interface CallAudioTap {
  readonly active: boolean;
  /** Samples of the app's audio dropped because the queue was full. */
  readonly droppedSamples: number;
  add(listener: CallAudioListener): () => void;
  /** A message the app sent on the media socket (only read while a listener is attached). */
  acceptApp(data: Buffer): void;
  /** Hands frame's audio to every listener. */
  tick(rawIds: readonly string[], participants: readonly Int16Array[]): void;
}

/** Creates the tap of a stream at `sampleRate`. */
export function createCallAudioTap(sampleRate: number): CallAudioTap {
  const frameSize = (sampleRate * 20) / 1000;
  const listeners = new Set<CallAudioListener>();
  const app = new Int16Array(frameSize);
  const queue: Int16Array[] = [];
  let headOffset = 0;
  let queued = 0;
  let dropped = 0;
  const frame: { rawIds: readonly string[]; participants: readonly Int16Array[]; app: Int16Array } = { rawIds: [], participants: [], app };

  function take(): void {
    app.fill(0);
    let filled = 0;
    while (filled < frameSize && queue.length > 0) {
      const head = queue[0];
      const n = Math.min(frameSize - filled, head.length - headOffset);
      app.set(head.subarray(headOffset, headOffset + n), filled);
      filled += n;
      headOffset += n;
      queued -= n;
      if (headOffset >= head.length) {
        queue.shift();
        headOffset = 0;
      }
    }
  }

  return {
    get active() {
      return listeners.size > 0;
    },
    get droppedSamples() {
      return dropped;
    },
    add(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    acceptApp(data) {
      if (listeners.size === 0) return;
      const parsed = parseOutboundPacket(data);
      if (!parsed.ok) return;
      if (parsed.packet.kind === 'StopAudio') {
        queue.length = 0;
        headOffset = 0;
        queued = 0;
        return;
      }
      const samples = parsed.packet.samples;
      if (queued + samples.length > MAX_QUEUED_SAMPLES) {
        dropped += samples.length;
        return;
      }
      queue.push(samples.slice());
      queued += samples.length;
    },
    tick(rawIds, participants) {
      take();
      frame.rawIds = rawIds;
      frame.participants = participants;
      for (const listener of listeners) listener(frame);
    },
  };
}
