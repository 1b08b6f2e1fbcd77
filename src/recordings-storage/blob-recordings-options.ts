// The Blob recordings uploader's options: what each means, its default, and the check that refuses out-of-range values
// at construction with every bad field named.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { BlobRecordingsError, BlobRecordingsErrorCode } from './blob-recordings-error.js';
import { parseRecordingsTarget } from './blob-recordings-target.js';

/** Backoff between attempts of one file: min(maxDelayMs, baseDelayMs · 2^(attempt−1)), then half of it jittered. */
export interface BlobRetryOptions {
  /** Attempts per file before the folder is left for the next drain. @default 5 */
  maxAttempts?: number;
  /** @default 500 */
  baseDelayMs?: number;
  /** @default 30000 */
  maxDelayMs?: number;
}

/** Options for {@link createBlobRecordingsUploader}. */
export interface BlobRecordingsOptions {
  /** Storage account connection string (the CLI reads AZURE_STORAGE_CONNECTION_STRING). */
  connectionString: string;
  /** Blob container; created on first upload when missing. */
  container: string;
  /** Folder-like prefix for every blob name, without slashes at the ends. @default none (container root) */
  prefix?: string;
  /** The media server's recordingsDir: session folders are `<spoolDir>/<YYYY-MM-DD>/<session id>/`. */
  spoolDir: string;
  /** @default a silent logger */
  logger?: Logger;
  retry?: BlobRetryOptions;
  /** Files uploading at once, across all sessions. @default 4 */
  concurrency?: number;
  /** How often the spool is scanned for finished folders not yet uploaded; 0 = only at start(). @default 60000 */
  drainIntervalMs?: number;
  /** Wait this long after a session ends before uploading it: the call's last callbacks (CallDisconnected usually
   *  comes after the stream closed) still reach its events.jsonl. Pending ones at close() upload at the next start.
   *  @default 5000 */
  settleMs?: number;
  /** A folder whose session never ended (its server crashed; the restarted server repairs the WAVs) is uploaded
   *  once none of its files changed for this long; 0 = never. @default 900000 (15 min) */
  abandonedAfterMs?: number;
  /** Keep local files after a verified upload; false deletes them (the folder goes when only the marker is left). @default true */
  keepLocal?: boolean;
  /** close() waits this long for uploads in flight, then aborts them (their folders stay in the spool). @default 10000 */
  closeTimeoutMs?: number;
  /** Timeout of one request to Blob Storage. @default 60000 */
  requestTimeoutMs?: number;
  /** Bytes per staged block: the memory each upload in flight holds. @default 4 MiB */
  blockSizeBytes?: number;
  /** Register `acs_audio_blob_*` gauges here (e.g. the media server's `metrics.registry`). @default none */
  registry?: Registry;
  /** Jitter source in [0, 1). @default Math.random */
  random?: () => number;
  /** Clock for the abandoned-folder age (epoch ms). @default Date.now */
  now?: () => number;
}

/** Throws BlobRecordingsError (BadOptions) naming every out-of-range field. */
export function checkBlobRecordingsOptions(o: BlobRecordingsOptions): void {
  const bad: string[] = [];
  const r = o.retry ?? {};
  if (!o.spoolDir) bad.push('spoolDir (the media server recordingsDir)');
  const target = `azblob://${o.container}${o.prefix ? `/${o.prefix}` : ''}`;
  try {
    parseRecordingsTarget(target);
  } catch (err) {
    bad.push(`container/prefix (${(err as Error).message})`);
  }
  if (o.concurrency !== undefined && !(Number.isInteger(o.concurrency) && o.concurrency >= 1)) bad.push('concurrency (integer ≥ 1)');
  if (r.maxAttempts !== undefined && !(Number.isInteger(r.maxAttempts) && r.maxAttempts >= 1)) bad.push('retry.maxAttempts (integer ≥ 1)');
  if (r.baseDelayMs !== undefined && !(r.baseDelayMs >= 0)) bad.push('retry.baseDelayMs (≥ 0)');
  if (r.maxDelayMs !== undefined && !(r.maxDelayMs >= (r.baseDelayMs ?? 0))) bad.push('retry.maxDelayMs (≥ retry.baseDelayMs)');
  if (o.drainIntervalMs !== undefined && !(o.drainIntervalMs === 0 || o.drainIntervalMs >= 100)) bad.push('drainIntervalMs (0 or ≥ 100)');
  if (o.settleMs !== undefined && !(o.settleMs >= 0)) bad.push('settleMs (≥ 0)');
  if (o.abandonedAfterMs !== undefined && !(o.abandonedAfterMs >= 0)) bad.push('abandonedAfterMs (≥ 0)');
  if (o.closeTimeoutMs !== undefined && !(o.closeTimeoutMs >= 0)) bad.push('closeTimeoutMs (≥ 0)');
  if (o.requestTimeoutMs !== undefined && !(o.requestTimeoutMs >= 100)) bad.push('requestTimeoutMs (≥ 100)');
  if (o.blockSizeBytes !== undefined && !(Number.isInteger(o.blockSizeBytes) && o.blockSizeBytes >= 1024 && o.blockSizeBytes <= 100 * 1024 * 1024)) {
    bad.push('blockSizeBytes (1 KiB – 100 MiB)');
  }
  if (bad.length > 0) throw new BlobRecordingsError(BlobRecordingsErrorCode.BadOptions, `createBlobRecordingsUploader: invalid options: ${bad.join(', ')}`);
}
