// A session's recording folder `<recordingsDir>/<YYYY-MM-DD>/<session id>/`: track WAVs, mixdown.wav, transcript.jsonl,
// events.jsonl and session.json. Everything is written asynchronously, off the frame path.
import { mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { JsonlWriter, toJsonLine } from './jsonl-writer.js';
import { MixRecorder, Recorder } from './recorder.js';
import { MediaError, MediaErrorCode } from './media-error.js';
import { RecordingBudget, RecordingFileSlots, type RecordingTarget } from './recording-budget.js';
import { recordingFailureReason, RecordingHealth, type RecordingFailureCounter } from './recording-health.js';
import { frameSamples, type OpenFile } from '../audio/index.js';
import type { DtmfDataPacket, TranscriptionDataPacket, TranscriptionMetadataPacket } from '../protocol/index.js';
import type { SessionCallEvent, UtteranceEvent } from './contract.js';
import { mixTalkBackFiles } from './mix-files.js';

/** Bound on queued transcript / event lines per file. */
const MAX_JSONL_QUEUE = 1 << 20;
/** WAV headers are rewritten on every 5th flush (and at close), not every one: with the hub's 1 s flushes, 40 % fewer
 *  file writes, for headers up to 5 s behind their data while a call runs (repaired on start after a crash). */
const WAV_HEADER_EVERY_FLUSHES = 5;

/** The folder for a session started at `startedAtMs`: `<root>/<YYYY-MM-DD>/<id>` (UTC date). */
export function recordingDirFor(root: string, startedAtMs: number, sessionId: string): string {
  return join(root, new Date(startedAtMs).toISOString().slice(0, 10), sessionId);
}

/** Write JSON to `path` atomically (temp file + rename), so a reader never sees half a file; a failed write leaves no
 *  temp file behind. */
export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.tmp`;
  try {
    await writeFile(tmp, toJsonLine(value), 'utf8');
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** What a session's recording is given. */
export interface SessionRecordingOptions {
  readonly dir: string;
  readonly sampleRate: number;
  /** Bound on bytes queued for disk across the session's WAVs. */
  readonly maxQueueBytes: number;
  readonly logger: Logger;
  /** One frame of zeros at `sampleRate`, shared with the session (never written to). */
  readonly silence: Int16Array;
  readonly openFile?: OpenFile;
  /** Hub-wide failure counts (/metrics). */
  readonly failureCounter?: RecordingFailureCounter;
  /** Hub-wide open-file slots (maxRecordingFiles). @default unlimited */
  readonly files?: RecordingFileSlots;
}

/** Summary ticks (~5 s each) between two session.json checkpoints when nothing but the counts moved: about a minute. */
const SUMMARY_CHECKPOINT_TICKS = 12;

/** The hub settings a session's recording is made from. */
export interface RecordingSettings {
  recordingsDir: string | null;
  maxRecordingQueueBytes: number;
  openRecordingFile: OpenFile | undefined;
  counters: RecordingFailureCounter;
  recordingFiles: RecordingFileSlots;
}

/** Files of one session's recording and the memory budget they share. */
export class SessionRecording {
  /** The recording of a session that started (undefined when recording is off). A transcription session writes no
   *  WAV; its recording still wants a format, so it gets 16 kHz. */
  static forSession(
    settings: RecordingSettings,
    session: { id: string; startedAtMs: number; sampleRate: number | undefined; silence: Int16Array | undefined; logger: Logger },
  ): SessionRecording | undefined {
    if (settings.recordingsDir === null) return undefined;
    const rate = session.sampleRate ?? 16000;
    return new SessionRecording({
      dir: recordingDirFor(settings.recordingsDir, session.startedAtMs, session.id),
      sampleRate: rate,
      maxQueueBytes: settings.maxRecordingQueueBytes,
      logger: session.logger,
      silence: session.silence ?? new Int16Array(frameSamples(rate)),
      openFile: settings.openRecordingFile,
      failureCounter: settings.counters,
      files: settings.recordingFiles,
    });
  }

  /** What session.json showed beyond the counts when last written, and the summary ticks since. */
  private summaryShape = '';
  private summaryTicksSinceWrite = 0;

  readonly dir: string;
  readonly sampleRate: number;
  readonly budget: RecordingBudget;
  readonly health: RecordingHealth;
  readonly recorder: Recorder;
  mix: MixRecorder | undefined;
  // Created on first use: most sessions never write a transcript, and an idle one writes neither.
  private transcriptWriter: JsonlWriter | undefined;
  private eventsWriter: JsonlWriter | undefined;
  private flushing: Promise<number> | undefined;
  /** The folder being made (again); undefined until asked and after a failure, so the next ask tries again. */
  private folderMade: Promise<boolean> | undefined;
  /** Set when a write found the folder gone: the next flush makes it again and starts the WAVs anew in it. */
  private folderLost = false;
  private summaryChain: Promise<void> = Promise.resolve();
  private readonly target: RecordingTarget;
  private readonly logger: Logger;

  constructor(options: SessionRecordingOptions) {
    const { dir, sampleRate, logger } = options;
    this.dir = dir;
    this.sampleRate = sampleRate;
    this.logger = logger;
    this.budget = new RecordingBudget(options.maxQueueBytes, logger, {});
    this.health = new RecordingHealth(logger, { dir }, options.failureCounter);
    this.target = {
      dir,
      sampleRate,
      budget: this.budget,
      silence: options.silence,
      folder: () => this.folder(),
      health: this.health,
      files: options.files ?? new RecordingFileSlots(Number.POSITIVE_INFINITY),
      openFile: options.openFile,
      headerEvery: WAV_HEADER_EVERY_FLUSHES,
    };
    this.recorder = new Recorder(this.target);
    void this.folder();
  }

  /** Resolves once the folder has been made, or could not be (then it is tried again on the next flush). */
  get ready(): Promise<void> {
    return this.folder().then(() => undefined);
  }

  /** Add `mixdown.wav` (unmixed sessions); `lagSlots` = late window in slots + 1. */
  enableMix(lagSlots: number): MixRecorder {
    this.mix ??= new MixRecorder(this.target, lagSlots);
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

  /** Frames lost to failed writes of the track files (they read as zeros there). The mix sums the same frames, so a
   *  frame lost from both counts once. */
  get lostFrames(): number {
    return this.recorder.lostFrames;
  }

  /** Flush everything queued; resolves with how long it took (ms). One flush at a time. Never rejects. */
  flush(): Promise<number> {
    this.flushing ??= this.flushAll().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** Rewrite session.json (serialized, so an older summary never overwrites a newer one). Never rejects: a failure is
   *  counted, and a folder found gone is made again (with the summary) at once. */
  writeSummary(summary: unknown): Promise<void> {
    const path = join(this.dir, 'session.json');
    this.summaryChain = this.summaryChain.then(async () => {
      if (!(await this.folder())) return;
      try {
        await writeJsonFile(path, summary);
        this.health.ok();
      } catch (err) {
        if (this.failed(err, path) !== 'folder_missing' || !(await this.folder())) return;
        await writeJsonFile(path, summary).catch((again: unknown) => this.health.fail(again, path));
      }
    });
    return this.summaryChain;
  }

  /** events.jsonl: a transcription socket of this call joined. */
  recordTranscriptionMetadata(packet: TranscriptionMetadataPacket, nowMs: number): void {
    this.events.append({ time: new Date(nowMs).toISOString(), type: 'TranscriptionMetadata', data: packet });
  }

  /** events.jsonl: a key the caller pressed. */
  recordDtmf(packet: DtmfDataPacket, nowMs: number): void {
    this.events.append({
      time: new Date(nowMs).toISOString(),
      type: 'DtmfData',
      tone: packet.tone,
      data: packet.data,
      timestamp: packet.timestamp,
      participantRawID: packet.participantRawID,
    });
  }

  /** transcript.jsonl: an ACS TranscriptionData result, as received. */
  recordTranscript(packet: TranscriptionDataPacket, nowMs: number): void {
    this.transcript.append({
      receivedAt: new Date(nowMs).toISOString(),
      resultStatus: packet.resultStatus,
      text: packet.text,
      format: packet.format,
      confidence: packet.confidence,
      offsetTicks: packet.offsetTicks,
      durationTicks: packet.durationTicks,
      participantRawID: packet.participantRawID,
      words: packet.words,
      ...(Object.keys(packet.extra).length > 0 ? { extra: packet.extra } : {}),
    });
  }

  /** transcript.jsonl: a line the app added (session.addTranscript: a voice agent's both sides). */
  recordUtterance(utterance: UtteranceEvent, nowMs: number): void {
    this.transcript.append({ receivedAt: new Date(nowMs).toISOString(), ...utterance });
  }

  /** events.jsonl: a callback event of this call. After the session ended no flush timer runs for it, so a late
   *  event (often CallDisconnected) is written at once. */
  recordCallEvent(event: SessionCallEvent, nowMs: number, ended: boolean): void {
    this.events.append({ time: event.time ?? new Date(nowMs).toISOString(), type: event.type, callConnectionId: event.callConnectionId, data: event.data });
    if (ended) void this.flushLines(this.eventsWriter);
  }

  /** A mixed session with talk-back gets mixdown.wav (mixed.wav + talk-back.wav) once its files are finished
   *  (mix-files.ts); true when it was written. */
  async mixTalkBack(openFile: OpenFile | undefined): Promise<boolean> {
    if (this.mix !== undefined || this.recorder.fileOf('mixed') === undefined) return false;
    try {
      await mixTalkBackFiles(this.dir, this.sampleRate, openFile);
      return true;
    } catch (err) {
      this.logger.error({ err }, 'media: could not write mixdown.wav from mixed.wav and talk-back.wav');
      return false;
    }
  }

  /**
   * A hub summary tick: session.json is rewritten when `shape` (what it shows beyond the counts: state, participants,
   * discontinuities, failures) changed, or as a checkpoint every SUMMARY_CHECKPOINT_TICKS — a create + rename per
   * session every 5 s cost ~2 µs a frame at 300 calls (bench/README.md). Otherwise the folder is only looked at, so
   * one deleted under the call is seen.
   */
  async summaryTick(shape: string, summary: () => unknown): Promise<void> {
    if (shape !== this.summaryShape || ++this.summaryTicksSinceWrite >= SUMMARY_CHECKPOINT_TICKS) {
      this.summaryShape = shape;
      this.summaryTicksSinceWrite = 0;
      await this.writeSummary(summary());
    } else {
      await this.checkFolder();
    }
  }

  /** Look at the folder (a stat, no write): one deleted under the call makes the next flush make it again. */
  async checkFolder(): Promise<void> {
    try {
      await stat(this.dir);
    } catch (err) {
      this.failed(err, this.dir);
    }
  }

  private folder(): Promise<boolean> {
    this.folderMade ??= mkdir(this.dir, { recursive: true }).then(
      () => true,
      (err: unknown) => {
        this.folderMade = undefined;
        this.health.fail(err, this.dir);
        return false;
      },
    );
    return this.folderMade;
  }

  /** Count a failure; one that says the folder is gone makes the next flush (or ask) make it again. */
  private failed(err: unknown, path: string): string {
    const reason = this.health.fail(err, path);
    if (reason === 'folder_missing') {
      this.folderLost = true;
      this.folderMade = undefined;
    }
    return reason;
  }

  private async flushAll(): Promise<number> {
    const started = performance.now();
    if (this.folderLost) {
      this.folderLost = false;
      this.folderMade = undefined;
      // Open WAVs still write into the deleted files: start them anew, at their places, in the folder made again.
      if (await this.folder()) await Promise.all([this.recorder.reopenFiles(), this.mix?.reopenFiles()]);
    }
    await this.folder();
    await Promise.all([this.recorder.flush(), this.mix?.flush(), this.flushLines(this.transcriptWriter), this.flushLines(this.eventsWriter)]);
    return performance.now() - started;
  }

  private async flushLines(writer: JsonlWriter | undefined): Promise<void> {
    if (writer === undefined) return;
    try {
      await writer.flush();
    } catch (err) {
      this.failed(err, writer.path);
    }
  }
}

/**
 * Checks that `root` can hold recordings (made if missing, a file written and removed in it), so `serve` says so at
 * start instead of failing every call's recording later.
 */
export async function checkRecordingsFolder(root: string): Promise<void> {
  const probe = join(root, `.acs-audio-write-check-${process.pid}`);
  try {
    await mkdir(root, { recursive: true });
    await writeFile(probe, '');
    await unlink(probe);
  } catch (cause) {
    const reason = recordingFailureReason(cause);
    throw new MediaError(
      MediaErrorCode.RecordingsFolderUnusable,
      `the recordings folder ${root} cannot be written (${reason}: ${(cause as Error).message}); pass a writable folder with --recordings (ACS_AUDIO_RECORDINGS) or fix its permissions`,
      { cause },
    );
  }
}
