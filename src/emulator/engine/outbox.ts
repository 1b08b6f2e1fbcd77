// The last step before the media socket: messages of each frame go out in order, unless a fault bends the wire —
// held back and released together (burst), delayed by a random number of frames (jitter, order kept as TCP does),
// sent twice (duplicate) or sent in reverse order (reorder).
import type { FaultSpec } from '../media-engine-contract.js';
import { FRAME_MS } from '../../audio/index.js';

/** A serialized packet for the media socket; `key` says whose it is (a raw ID, `mixed`, or DTMF). */
export interface OutgoingMessage {
  key: string;
  text: string;
  /** AudioData (duplicated by the duplicate fault); false for DtmfData. */
  audio: boolean;
}

/** Frames queued for the media socket, with the wire-bending faults applied. */
export interface Outbox {
  /** Queues frame `frame`'s messages. */
  push(frame: number, messages: OutgoingMessage[]): void;
  /** Messages due by frame `frame`, in the order they go on the wire. */
  take(frame: number): OutgoingMessage[];
  /** Starts a wire fault at frame `frame`; false if the fault is not one the outbox handles. */
  apply(fault: FaultSpec, frame: number): boolean;
  /** Forgets everything queued (the socket dropped: what was in flight is lost). */
  clear(): void;
}


/** Creates an outbox; `random` (0 ≤ x < 1) decides jitter delays. */
export function createOutbox(random: () => number = Math.random): Outbox {
  let queue: Array<{ release: number; messages: OutgoingMessage[] }> = [];
  let lastRelease = 0;
  let burstUntil = -1;
  let jitterUntil = -1;
  let jitterMaxFrames = 0;
  let duplicateLeft = 0;
  let reorderLeft = 0;
  let reorderGroups: OutgoingMessage[][] = [];

  function enqueue(release: number, messages: OutgoingMessage[]): void {
    lastRelease = Math.max(release, lastRelease);
    queue.push({ release: lastRelease, messages });
  }

  return {
    push(frame, messages) {
      let batch = messages;
      if (duplicateLeft > 0) {
        duplicateLeft--;
        batch = messages.flatMap((message) => (message.audio ? [message, message] : [message]));
      }
      if (reorderLeft > 0) {
        reorderLeft--;
        reorderGroups.push(batch);
        if (reorderLeft === 0) {
          enqueue(frame, reorderGroups.reverse().flat());
          reorderGroups = [];
        }
        return;
      }
      let release = frame;
      if (frame < burstUntil) release = burstUntil;
      if (frame < jitterUntil) release = frame + Math.floor(random() * (jitterMaxFrames + 1));
      enqueue(release, batch);
    },
    take(frame) {
      if (queue.length === 0 || queue[0].release > frame) return [];
      if (queue.length === 1) {
        const only = queue[0].messages;
        queue = [];
        return only;
      }
      const due: OutgoingMessage[] = [];
      while (queue.length > 0 && queue[0].release <= frame) due.push(...queue.shift()!.messages);
      return due;
    },
    apply(fault, frame) {
      switch (fault.type) {
        case 'burst':
          burstUntil = frame + Math.max(0, Math.floor(fault.frames));
          return true;
        case 'jitter':
          jitterUntil = frame + Math.ceil(fault.durationMs / FRAME_MS);
          jitterMaxFrames = Math.max(0, Math.round(fault.maxMs / FRAME_MS));
          return true;
        case 'duplicate':
          duplicateLeft = Math.max(0, Math.floor(fault.frames));
          return true;
        case 'reorder':
          reorderLeft = Math.max(0, Math.floor(fault.frames));
          return true;
        default:
          return false;
      }
    },
    clear() {
      queue = [];
      reorderGroups = [];
      reorderLeft = 0;
      lastRelease = 0;
    },
  };
}
