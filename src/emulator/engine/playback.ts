// What the app plays into the call (bidirectional streaming, docs/protocol.md §2): each message is parsed as ACS
// would (every casing), checked, and played out as ACS does. Checks: the packet parses; its PCM is whole 16-bit
// samples; a frame is not the other rate's 20 ms frame (the usual sign of a 24 kHz app on a 16 kHz call or the
// reverse); and pacing — audio that runs ahead of real time by more than an allowance (wall ms) counts one
// violation per frame.
// Playout: ACS queues what it is sent and plays it in real time (call time: wall × speed); StopAudio drops what it
// still holds. The queue here is that model, advanced lazily whenever a message arrives, stats are read or the call
// ends (so no timer per call). The WAV holds what the caller heard, back to back (the gaps when the queue ran dry are
// not filled); audio still queued at StopAudio or at the end of the call is not in it. Each StopAudio is reported
// with the audio heard since the previous one (or the start) and the audio it dropped, so a test can check an
// app's figure for "what the caller heard" (conversation.item.truncate's audio_end_ms) against ACS's.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createWavWriter, frameSamples, type WavWriter } from '../../audio/index.js';
import { parseOutboundPacket } from '../../protocol/index.js';
import type { StopAudioRecord } from '../media-engine-contract.js';

/** The recording is flushed to disk every second or so of audio (16 kHz: 32 KB). */
const FLUSH_BYTES = 32_000;
/** The most audio the playout queue holds (call-time ms); frames past it are dropped and counted. */
const MAX_QUEUED_MS = 5 * 60_000;

/** Why a message from the app was counted as a violation. */
export type PlaybackViolation = 'malformed' | 'wrong_format' | 'too_fast' | 'not_bidirectional';

/** Counts of what the app sent back. */
export interface PlaybackStats {
  framesReceived: number;
  stopAudioReceived: number;
  /** Every StopAudio, in order. */
  stopAudio: StopAudioRecord[];
  /** Audio the caller heard in all (played out of the queue). */
  heardMs: number;
  /** Audio queued, not yet played. */
  queuedMs: number;
  /** Audio dropped in all: by StopAudio, by the end of the call, and past the queue's bound (counted too_fast). */
  droppedMs: number;
  violations: number;
  violationsByKind: Record<PlaybackViolation, number>;
  /** Milliseconds of audio received. */
  audioMs: number;
  wavPath: string | undefined;
}

/** Receives the app's messages for one call. */
export interface PlaybackRecorder {
  accept(data: Buffer | string): void;
  stats(): PlaybackStats;
  /** Finishes the WAV; idempotent. */
  close(): Promise<void>;
}

/** Options for a call's playback recorder. */
export interface PlaybackRecorderOptions {
  callConnectionId: string;
  sampleRate: 16000 | 24000;
  /** Folder for the WAV (created if missing); the file is `<callConnectionId>.wav`, made on the first audio. */
  dir: () => Promise<string>;
  /** False when the call did not ask for bidirectional streaming: anything the app sends is a violation. */
  bidirectional: boolean;
  /** Audio may run this far (wall ms) ahead of real time before frames count as too fast. @default 200 */
  allowanceMs?: number;
  /** Call-time speed factor, as the engine's. @default 1 */
  speed?: number;
  /** Monotonic clock in ms. @default performance.now */
  now?: () => number;
  logger: Logger;
}

/** Creates the recorder; nothing touches the disk until the first audio is heard. */
export function createPlaybackRecorder(options: PlaybackRecorderOptions): PlaybackRecorder {
  const { sampleRate, logger } = options;
  const allowanceMs = options.allowanceMs ?? 200;
  const speed = options.speed ?? 1;
  const now = options.now ?? (() => performance.now());
  const startedAt = now();
  const otherRateFrame = frameSamples(sampleRate === 16000 ? 24000 : 16000);
  const samplesPerMs = sampleRate / 1000;
  const maxQueuedSamples = MAX_QUEUED_MS * samplesPerMs;
  const violationsByKind: Record<PlaybackViolation, number> = {
    malformed: 0,
    wrong_format: 0,
    too_fast: 0,
    not_bidirectional: 0,
  };
  let framesReceived = 0;
  let audioMs = 0;
  const stopAudio: StopAudioRecord[] = [];
  // The playout queue: copied frames, the samples of the head already played, and the total still to play.
  const queue: Int16Array[] = [];
  let headPlayed = 0;
  let queuedSamples = 0;
  let heardSamples = 0;
  let heardAtLastStop = 0;
  let droppedSamples = 0;
  let playedTo = startedAt;
  let wavPath: string | undefined;
  let opening: Promise<WavWriter> | undefined;
  let ready: WavWriter | undefined;
  let waiting: Int16Array[] = [];
  let recordingFailed = false;
  let closed = false;

  function violation(kind: PlaybackViolation, detail: string): void {
    violationsByKind[kind]++;
    // Logged on the first few only: a misbehaving app would otherwise flood the log 50 times a second.
    if (violationsByKind[kind] <= 3) logger.warn({ callConnectionId: options.callConnectionId, kind }, detail);
  }

  /** Plays the queue out up to `at` (wall ms): what was played is heard and recorded. */
  function advance(at: number): void {
    if (queuedSamples === 0) {
      playedTo = at;
      return;
    }
    let budget = Math.floor((at - playedTo) * speed * samplesPerMs);
    if (budget <= 0) return;
    // Only whole samples are played; the clock keeps the remainder so no time is lost between calls.
    playedTo += budget / (speed * samplesPerMs);
    while (budget > 0 && queue.length > 0) {
      const head = queue[0];
      const n = Math.min(budget, head.length - headPlayed);
      record(head.subarray(headPlayed, headPlayed + n));
      headPlayed += n;
      budget -= n;
      queuedSamples -= n;
      heardSamples += n;
      if (headPlayed === head.length) {
        queue.shift();
        headPlayed = 0;
      }
    }
    if (queuedSamples === 0) playedTo = at;
  }

  function flush(): number {
    const dropped = queuedSamples;
    queue.length = 0;
    headPlayed = 0;
    queuedSamples = 0;
    droppedSamples += dropped;
    return dropped;
  }

  function record(samples: Int16Array): void {
    if (recordingFailed || samples.length === 0) return;
    if (ready !== undefined) {
      ready.write(samples);
      if (ready.pendingBytes >= FLUSH_BYTES) ready.flush().catch(onWriteError);
      return;
    }
    if (opening === undefined) {
      const fileName = `${options.callConnectionId.replace(/[^A-Za-z0-9._-]/g, '_')}.wav`;
      opening = options.dir().then(async (dir) => {
        await mkdir(dir, { recursive: true });
        const path = join(dir, fileName);
        const writer = await createWavWriter(path, { sampleRate });
        wavPath = path;
        for (const early of waiting) writer.write(early);
        waiting = [];
        ready = writer;
        return writer;
      });
      opening.catch((error: Error) => {
        recordingFailed = true;
        waiting = [];
        onWriteError(error);
      });
    }
    // Copied: the file is not open yet and the queue's frames are released once played.
    waiting.push(samples.slice());
  }

  function onWriteError(error: Error): void {
    logger.error({ err: error, callConnectionId: options.callConnectionId }, 'cannot record the app audio');
  }

  function enqueue(samples: Int16Array, frameMs: number): void {
    const at = now();
    advance(at);
    const ahead = queuedSamples / samplesPerMs;
    // Compared in wall time: at speed s the queue drains s times faster, and the engine's own catch-up after an
    // event-loop stall must not count against the app.
    if (ahead / speed > allowanceMs) {
      violation('too_fast', `the app sends audio faster than real time: ${Math.round(ahead + frameMs)} ms queued`);
    }
    if (queuedSamples + samples.length > maxQueuedSamples) {
      droppedSamples += samples.length;
      return;
    }
    // Copied: the packet's samples are a view of a buffer the parser may reuse.
    queue.push(samples.slice());
    queuedSamples += samples.length;
  }

  const ms = (samples: number) => samples / samplesPerMs;

  return {
    accept(data) {
      if (closed) return;
      const parsed = parseOutboundPacket(data);
      if (!parsed.ok) {
        // An odd byte count is audio in the wrong format (not whole 16-bit samples); the rest cannot be read at all.
        if (parsed.reason === 'bad_length') violation('wrong_format', `audio from the app: ${parsed.detail}`);
        else violation('malformed', `unreadable message from the app (${parsed.reason}): ${parsed.detail}`);
        return;
      }
      if (!options.bidirectional) {
        violation('not_bidirectional', `the app sent ${parsed.packet.kind} but the call is not bidirectional`);
        return;
      }
      const packet = parsed.packet;
      if (packet.kind === 'StopAudio') {
        const at = now();
        advance(at);
        const dropped = flush();
        stopAudio.push({ atMs: (at - startedAt) * speed, heardMs: ms(heardSamples - heardAtLastStop), droppedMs: ms(dropped) });
        heardAtLastStop = heardSamples;
        logger.debug({ callConnectionId: options.callConnectionId, droppedMs: ms(dropped) }, 'StopAudio: playback queue flushed');
        return;
      }
      framesReceived++;
      const frameMs = ms(packet.samples.length);
      audioMs += frameMs;
      if (packet.samples.length === otherRateFrame) {
        violation(
          'wrong_format',
          `a frame of ${packet.samples.length} samples is 20 ms at ${sampleRate === 16000 ? 24000 : 16000} Hz, ` +
            `but this call streams ${sampleRate} Hz: send PCM16 mono at the call's rate`,
        );
      }
      enqueue(packet.samples, frameMs);
    },
    stats() {
      if (!closed) advance(now());
      const violations = Object.values(violationsByKind).reduce((sum, count) => sum + count, 0);
      return {
        framesReceived,
        stopAudioReceived: stopAudio.length,
        stopAudio: stopAudio.map((entry) => ({ ...entry })),
        heardMs: ms(heardSamples),
        queuedMs: ms(queuedSamples),
        droppedMs: ms(droppedSamples),
        violations,
        violationsByKind: { ...violationsByKind },
        audioMs,
        wavPath,
      };
    },
    async close() {
      if (closed) return;
      advance(now());
      // The call is over: what ACS still held is never heard.
      flush();
      closed = true;
      if (opening === undefined) return;
      try {
        await (await opening).close();
      } catch (error) {
        if (!recordingFailed) onWriteError(error as Error);
      }
    },
  };
}
