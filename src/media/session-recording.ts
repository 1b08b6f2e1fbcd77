// A session's recording folder `<recordingsDir>/<YYYY-MM-DD>/<session id>/`: track WAVs, mix.wav, transcript.jsonl,
// events.jsonl and session.json. Everything is written asynchronously, off the frame path.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { JsonlWriter, toJsonLine } from './jsonl-writer.js';
import { MixRecorder, Recorder } from './recorder.js';
import { RecordingBudget, type RecordingTarget } from './recording-budget.js';
import type { OpenFile } from '../audio/index.js';

/** Bound on queued transcript / event lines per file. */
const MAX_JSONL_QUEUE = 1 << 20;
/** WAV headers are rewritten on every 5th flush (and at close), not every one: with the hub's 1 s flushes, 40 % fewer
 *  file writes, for headers up to 5 s behind their data while a call runs (repaired on start after a crash). */
const WAV_HEADER_EVERY_FLUSHES = 5;

/** The folder for a session started at `startedAtMs`: `<root>/<YYYY-MM-DD>/<id>` (UTC date). */
export function recordingDirFor(root: string, startedAtMs: number, sessionId: string): string {
  return join(root, new Date(startedAtMs).toISOString().slice(0, 10), sessionId);
}

/** Write JSON to `path` atomically (temp file + rename), so a reader never sees half a file. */
export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, toJsonLine(value), 'utf8');
  await rename(tmp, path);
}

/** Files of one session's recording and the memory budget they share. */
export class SessionRecording {
  readonly budget: RecordingBudget;
  readonly recorder: Recorder;
  mix: MixRecorder | undefined;
  // Created on first use: most sessions never write a transcript, and an idle one writes neither.
  private transcriptWriter: JsonlWriter | undefined;
  private eventsWriter: JsonlWriter | undefined;
  /** Resolves when the folder exists (close the recording sinks only after it). */
  readonly ready: Promise<void>;
  private flushing: Promise<number> | undefined;
  private folderError: unknown;
  private summaryChain: Promise<void> = Promise.resolve();
  private readonly target: RecordingTarget;

  constructor(
    readonly dir: string,
    readonly sampleRate: number,
    maxQueueBytes: number,
    private readonly logger: Logger,
    private readonly context: Record<string, unknown>,
    /** One frame of zeros at `sampleRate`, shared with the session (never written to). */
    silence: Int16Array,
    openFile?: OpenFile,
  ) {
    this.budget = new RecordingBudget(maxQueueBytes, logger, context);
    this.ready = mkdir(dir, { recursive: true }).then(() => undefined);
    this.target = { dir, sampleRate, budget: this.budget, silence, ready: this.ready, openFile, headerEvery: WAV_HEADER_EVERY_FLUSHES };
    this.recorder = new Recorder(this.target);
    // No folder, no recording: the sinks fail on their next write and the session detaches them.
    this.ready.catch((err: unknown) => {
      this.folderError = err;
      this.recorder.fail(err);
      this.mix?.fail(err);
    });
  }

  /** Add `mix.wav` (unmixed sessions); `lagSlots` = late window in slots + 1. */
  enableMix(lagSlots: number): MixRecorder {
    this.mix ??= new MixRecorder(this.target, lagSlots);
    if (this.folderError !== undefined) this.mix.fail(this.folderError);
    return this.mix;
  }

  /** transcript.jsonl: TranscriptionData results. */
  get transcript(): JsonlWriter {
    return (this.transcriptWriter ??= new JsonlWriter(join(this.dir, 'transcript.jsonl'), MAX_JSONL_QUEUE));
  }

  /** events.jsonl: TranscriptionMetadata, DTMF and call events. */
  get events(): JsonlWriter {
    return (this.eventsWriter ??= new JsonlWriter(join(this.dir, 'events.jsonl'), MAX_JSONL_QUEUE));
  }

  /** Bytes waiting for disk. */
  get queuedBytes(): number {
    return this.budget.queuedBytes + (this.transcriptWriter?.pendingBytes ?? 0) + (this.eventsWriter?.pendingBytes ?? 0);
  }

  /** Flush everything queued; resolves with how long it took (ms). One flush at a time. */
  flush(): Promise<number> {
    this.flushing ??= this.flushAll().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** Rewrite session.json (serialized, so an older summary never overwrites a newer one). */
  writeSummary(summary: unknown): Promise<void> {
    this.summaryChain = this.summaryChain
      .catch(() => undefined)
      .then(() => this.ready)
      .then(() => writeJsonFile(join(this.dir, 'session.json'), summary));
    return this.summaryChain;
  }

  private async flushAll(): Promise<number> {
    const started = performance.now();
    try {
      await this.ready;
      await Promise.all([this.recorder.flush(), this.mix?.flush(), this.transcriptWriter?.flush(), this.eventsWriter?.flush()]);
    } catch (err) {
      this.logger.error({ ...this.context, err, dir: this.dir }, 'media: writing the recording failed; check the recordings folder');
    }
    return performance.now() - started;
  }
}
