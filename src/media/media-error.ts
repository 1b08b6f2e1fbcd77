// The media layer's error class: an AcsAudioError (src/errors) with the ERR_MEDIA_* codes (docs/errors.md).
import { AcsAudioError } from '../errors/index.js';

/** Stable error codes thrown by the media layer (catalogued in docs/errors.md). */
export const MediaErrorCode = {
  /** play() before the session knows its format (no AudioMetadata yet). */
  NotReady: 'ERR_MEDIA_NOT_READY',
  /** play() on a session whose socket is closed or interrupted, or that has ended. */
  ConnectionClosed: 'ERR_MEDIA_CONNECTION_CLOSED',
  /** A play source could not be read or decoded. */
  BadPlaySource: 'ERR_MEDIA_BAD_PLAY_SOURCE',
  /** A sink threw and was detached. */
  SinkFailed: 'ERR_MEDIA_SINK_FAILED',
  /** Writing a recording file failed. */
  RecordingsFolderUnusable: 'ERR_MEDIA_RECORDINGS_FOLDER_UNUSABLE',
  RecordingFileLimit: 'ERR_MEDIA_RECORDING_FILE_LIMIT',
  /** Contradictory or out-of-range hub options. */
  BadOptions: 'ERR_MEDIA_BAD_OPTIONS',
  /** session.addTranscript got no speaker or text, or a timelineMs that is not a finite number ≥ 0. */
  BadTranscript: 'ERR_MEDIA_BAD_TRANSCRIPT',
} as const;
export type MediaErrorCode = (typeof MediaErrorCode)[keyof typeof MediaErrorCode];

/** An error inside the media layer, with a stable code and the underlying cause. */
export class MediaError extends AcsAudioError<MediaErrorCode> {
  override name = 'MediaError';

  constructor(code: MediaErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** True when `value` is a MediaError (optionally with the given code). */
export function isMediaError(value: unknown, code?: MediaErrorCode): value is MediaError {
  return value instanceof MediaError && (code === undefined || value.code === code);
}
