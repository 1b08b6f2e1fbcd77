// The Blob recordings uploader's error class: an AcsAudioError (src/errors) with the ERR_BLOB_* codes.
import { AcsAudioError } from '../errors/index.js';

/** Stable error codes of the Blob recordings uploader (catalogued in docs/errors.md). */
export const BlobRecordingsErrorCode = {
  /** A `--recordings` value that is neither a folder, `none`, nor a valid `azblob://<container>[/<prefix>]`. */
  BadTarget: 'ERR_BLOB_BAD_TARGET',
  /** `azblob://` without a connection string in the environment. */
  NoConnectionString: 'ERR_BLOB_NO_CONNECTION_STRING',
  /** The connection string could not be parsed by the Azure SDK. */
  BadConnectionString: 'ERR_BLOB_BAD_CONNECTION_STRING',
  /** Out-of-range or contradictory uploader options. */
  BadOptions: 'ERR_BLOB_BAD_OPTIONS',
  /** uploadSessionFolder() was given a folder that is not `<spoolDir>/<YYYY-MM-DD>/<session id>`. */
  NotASessionFolder: 'ERR_BLOB_NOT_A_SESSION_FOLDER',
  /** A file could not be uploaded after every attempt; the folder stays in the spool. */
  UploadFailed: 'ERR_BLOB_UPLOAD_FAILED',
  /** The uploaded blob's size or MD5 differs from the local file. */
  VerifyFailed: 'ERR_BLOB_VERIFY_FAILED',
} as const;
export type BlobRecordingsErrorCode = (typeof BlobRecordingsErrorCode)[keyof typeof BlobRecordingsErrorCode];

/** An error of the Blob recordings uploader, with a stable code and the underlying cause. */
export class BlobRecordingsError extends AcsAudioError<BlobRecordingsErrorCode> {
  override name = 'BlobRecordingsError';

  constructor(code: BlobRecordingsErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** True when `value` is a BlobRecordingsError (optionally with the given code). */
export function isBlobRecordingsError(value: unknown, code?: BlobRecordingsErrorCode): value is BlobRecordingsError {
  return value instanceof BlobRecordingsError && (code === undefined || value.code === code);
}
