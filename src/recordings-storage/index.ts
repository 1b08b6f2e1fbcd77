// recordings-storage: where finished recordings go beyond the local folder. The `--recordings` target parser, the
// spool (the media server's recordings folder read as an upload queue) and the Blob Storage uploader that empties it.
// See docs/blob-recordings.md.
export {
  createBlobRecordingsUploader,
  type BlobRecordingsOptions,
  type BlobRecordingsStats,
  type BlobRecordingsUploader,
  type BlobRetryOptions,
  type DrainReport,
  type FolderUploadResult,
} from './blob-recordings.js';
export { BlobRecordingsError, BlobRecordingsErrorCode, isBlobRecordingsError } from './blob-recordings-error.js';
export { blobConnectionStringFrom, parseRecordingsTarget, BLOB_CONNECTION_STRING_ENV, type RecordingsTarget } from './blob-recordings-target.js';
export { UPLOAD_MARKER, type UploadManifest } from './blob-spool.js';
