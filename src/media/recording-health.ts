// What went wrong writing a session's recording, and whether it is still going wrong: every failed file operation is
// counted by reason (hub-wide for /metrics, per session for session.json), the first is logged once per session
// (reason and message, no stack), and the first success after a failure is logged once as the recording resuming.
import type { Logger } from 'pino';

/** Why a recording write failed; a fixed set, so metric labels stay bounded. */
export type RecordingFailureReason = 'disk_full' | 'read_only' | 'permission' | 'folder_missing' | 'file_limit' | 'io';

const REASON_BY_CODE: Record<string, RecordingFailureReason> = {
  ENOSPC: 'disk_full',
  EDQUOT: 'disk_full',
  EFBIG: 'disk_full',
  EROFS: 'read_only',
  EACCES: 'permission',
  EPERM: 'permission',
  ENOENT: 'folder_missing',
  ENOTDIR: 'folder_missing',
  EMFILE: 'file_limit',
  ENFILE: 'file_limit',
  ERR_MEDIA_RECORDING_FILE_LIMIT: 'file_limit',
};

/** The reason of a failure: the first `code` found along its `cause` chain ('io' when none is known). */
export function recordingFailureReason(err: unknown): RecordingFailureReason {
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code in REASON_BY_CODE) return REASON_BY_CODE[code];
  }
  return 'io';
}

/** Where failures are counted hub-wide (MediaCounters). */
export interface RecordingFailureCounter {
  recordingFailed(reason: RecordingFailureReason): void;
}

/** One session's recording health. */
export class RecordingHealth {
  /** Failed file operations by reason. */
  readonly failures: Partial<Record<RecordingFailureReason, number>> = {};
  private failing = false;
  private loggedFailure = false;
  private loggedResume = false;

  constructor(
    private readonly logger: Logger,
    private readonly context: Record<string, unknown>,
    private readonly counter: RecordingFailureCounter | undefined,
  ) {}

  /** Any failure so far. */
  get failed(): boolean {
    return this.loggedFailure;
  }

  /** A file operation on `path` failed; returns its reason. */
  fail(err: unknown, path: string): RecordingFailureReason {
    const reason = recordingFailureReason(err);
    this.failures[reason] = (this.failures[reason] ?? 0) + 1;
    this.counter?.recordingFailed(reason);
    this.failing = true;
    if (!this.loggedFailure) {
      this.loggedFailure = true;
      const message = err instanceof Error ? err.message : String(err);
      this.logger.warn(
        { ...this.context, reason, path, error: message },
        `media: writing the recording failed (${reason}); the frames lost are counted, writes are retried, and further failures of this call are only counted`,
      );
    }
    return reason;
  }

  /** A file operation succeeded: after a failure, the recording has resumed. */
  ok(): void {
    if (!this.failing) return;
    this.failing = false;
    if (!this.loggedResume) {
      this.loggedResume = true;
      this.logger.info({ ...this.context, failures: this.failures }, 'media: recording writes succeed again; the recording resumed');
    }
  }
}
