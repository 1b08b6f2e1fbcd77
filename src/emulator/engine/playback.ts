// What the app plays into the call (bidirectional streaming, docs/protocol.md §2): each message is parsed as ACS
// would (every casing), checked, and its audio recorded into one WAV per call so tests and people can hear it.
// Checks: the packet parses; its PCM is whole 16-bit samples; a frame is not the other rate's 20 ms frame (the
// usual sign of a 24 kHz app on a 16 kHz call or the reverse); and pacing — ACS queues what it is sent and plays it
// in real time, so audio that runs ahead of real time by more than an allowance (wall ms) counts one violation per
// frame. The WAV holds what the app sent, in order; StopAudio is counted, not applied to the recording.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createWavWriter, frameSamples, type WavWriter } from '../../audio/index.js';
import { parseOutboundPacket } from '../../protocol/index.js';

/** The recording is flushed to disk every second or so of audio (16 kHz: 32 KB). */
const FLUSH_BYTES = 32_000;

/** Why a message from the app was counted as a violation. */
export type PlaybackViolation = 'malformed' | 'wrong_format' | 'too_fast' | 'not_bidirectional';

/** Counts of what the app sent back. */
export interface PlaybackStats {
  framesReceived: number;
  stopAudioReceived: number;
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

/** Creates the recorder; nothing touches the disk until the first audio frame. */
export function createPlaybackRecorder(options: PlaybackRecorderOptions): PlaybackRecorder {
  const { sampleRate, logger } = options;
  const allowanceMs = options.allowanceMs ?? 200;
  const speed = options.speed ?? 1;
  const now = options.now ?? (() => performance.now());
  const otherRateFrame = frameSamples(sampleRate === 16000 ? 24000 : 16000);
  const violationsByKind: Record<PlaybackViolation, number> = {
    malformed: 0,
    wrong_format: 0,
    too_fast: 0,
    not_bidirectional: 0,
  };
  let framesReceived = 0;
  let stopAudioReceived = 0;
  let audioMs = 0;
  let queuedMs = 0;
  let queueCheckedAt = 0;
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

  function record(samples: Int16Array): void {
    if (recordingFailed) return;
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
    // Copied: the packet's samples are a view the caller may reuse before the file is open.
    waiting.push(samples.slice());
  }

  function onWriteError(error: Error): void {
    logger.error({ err: error, callConnectionId: options.callConnectionId }, 'cannot record the app audio');
  }

  function checkPacing(frameMs: number): void {
    const at = now();
    const played = framesReceived === 1 ? 0 : (at - queueCheckedAt) * speed;
    queueCheckedAt = at;
    queuedMs = Math.max(0, queuedMs - played) + frameMs;
    // Compared in wall time: at speed s the queue drains s times faster, and the engine's own catch-up after an
    // event-loop stall must not count against the app.
    if ((queuedMs - frameMs) / speed > allowanceMs) {
      violation('too_fast', `the app sends audio faster than real time: ${Math.round(queuedMs)} ms queued`);
    }
  }

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
        stopAudioReceived++;
        queuedMs = 0;
        logger.debug({ callConnectionId: options.callConnectionId }, 'StopAudio: playback queue flushed');
        return;
      }
      framesReceived++;
      const frameMs = (packet.samples.length * 1000) / sampleRate;
      audioMs += frameMs;
      if (packet.samples.length === otherRateFrame) {
        violation(
          'wrong_format',
          `a frame of ${packet.samples.length} samples is 20 ms at ${sampleRate === 16000 ? 24000 : 16000} Hz, ` +
            `but this call streams ${sampleRate} Hz: send PCM16 mono at the call's rate`,
        );
      }
      checkPacing(frameMs);
      record(packet.samples);
    },
    stats() {
      const violations = Object.values(violationsByKind).reduce((sum, count) => sum + count, 0);
      return {
        framesReceived,
        stopAudioReceived,
        violations,
        violationsByKind: { ...violationsByKind },
        audioMs,
        wavPath,
      };
    },
    async close() {
      if (closed) return;
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
