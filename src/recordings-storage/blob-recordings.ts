// Recordings on Azure Blob Storage: the media server keeps writing each session's files locally (the spool); when a
// session ends, its folder is uploaded to `<prefix>/<YYYY-MM-DD>/<session id>/<file>`, verified, and marked done.
// A failed upload leaves the folder in the spool; drainSpool() (at start and every drainIntervalMs) tries it again,
// so a Blob outage or a restart loses nothing.
// Options are blob-recordings-options.ts, retries and the concurrency limit blob-retry.ts, the spool's layout blob-spool.ts.
import { readdir, rm, rmdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { pino } from 'pino';
import type { MediaSession, SessionSummary } from '../media/index.js';
import { uploadFileVerified, type VerifiedUpload } from './blob-file-upload.js';
import { BlobRecordingsError, BlobRecordingsErrorCode, isBlobRecordingsError } from './blob-recordings-error.js';
import { registerBlobRecordingsMetrics, type BlobRecordingsStats } from './blob-recordings-metrics.js';
import { checkBlobRecordingsOptions, type BlobRecordingsOptions } from './blob-recordings-options.js';
import { createLimiter, storageErrorOf, withRetries, type RetryPolicy } from './blob-retry.js';
import {
  blobNameFor,
  contentTypeOf,
  isUploaded,
  listPendingFolders,
  listSpoolFiles,
  sessionFolderOf,
  UPLOAD_MARKER,
  writeUploadMarker,
  type SessionFolder,
  type SpoolFile,
  type UploadManifest,
} from './blob-spool.js';

export type { BlobRecordingsStats } from './blob-recordings-metrics.js';
export type { BlobRecordingsOptions, BlobRetryOptions } from './blob-recordings-options.js';

/** One session folder's upload. */
export interface FolderUploadResult {
  sessionId: string;
  folder: string;
  files: number;
  bytes: number;
  /** The marker was already there: nothing was uploaded. */
  alreadyUploaded: boolean;
}

/** What one pass over the spool did. */
export interface DrainReport {
  /** Finished folders without a marker found in the spool. */
  found: number;
  uploaded: number;
  failed: number;
}

/** The uploader. Order at shutdown: close the media server first (it ends sessions), then the uploader. */
export interface BlobRecordingsUploader {
  /** Upload each session of `hub` when it ends (its 'end' fires after every file is final and session.json has endedAt). */
  attach(hub: { on(event: 'session', listener: (session: MediaSession) => void): unknown }): void;
  /** Drain the spool once (what an earlier run left) and then every drainIntervalMs. */
  start(): Promise<DrainReport>;
  /** Upload every file of one session folder `<spoolDir>/<YYYY-MM-DD>/<session id>` and write the marker; rejects
   *  with BlobRecordingsError (UploadFailed) when a file failed every attempt (the folder stays in the spool). */
  uploadSessionFolder(path: string): Promise<FolderUploadResult>;
  /** Upload every finished folder of the spool that has no marker. One pass at a time. */
  drainSpool(): Promise<DrainReport>;
  /** Resolves when no folder is uploading. */
  idle(): Promise<void>;
  stats(): BlobRecordingsStats;
  /** Stop draining, wait up to closeTimeoutMs for uploads in flight, abort the rest (they stay in the spool). Idempotent. */
  close(): Promise<{ leftInSpool: number }>;
}

function connect(connectionString: string, requestTimeoutMs: number): BlobServiceClient {
  try {
    // One try per SDK call: the uploader's own retries (with the spool behind them) decide how long to insist.
    return BlobServiceClient.fromConnectionString(connectionString, { retryOptions: { maxTries: 1, tryTimeoutInMs: requestTimeoutMs } });
  } catch (err) {
    throw new BlobRecordingsError(
      BlobRecordingsErrorCode.BadConnectionString,
      'createBlobRecordingsUploader: the Storage connection string could not be read (expected ' +
        '"DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...;EndpointSuffix=core.windows.net" or ' +
        '"UseDevelopmentStorage=true"); copy it from the storage account\'s "Access keys" page.',
      { cause: err },
    );
  }
}

/** Creates an uploader of finished session folders from `spoolDir` to Blob Storage. Starts nothing until attach/start. */
export function createBlobRecordingsUploader(options: BlobRecordingsOptions): BlobRecordingsUploader {
  checkBlobRecordingsOptions(options);
  const logger = options.logger ?? pino({ level: 'silent' });
  const drainIntervalMs = options.drainIntervalMs ?? 60_000;
  const settleMs = options.settleMs ?? 5000;
  const settling = new Set<NodeJS.Timeout>();
  const keepLocal = options.keepLocal ?? true;
  const closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
  const blockSizeBytes = options.blockSizeBytes ?? 4 * 1024 * 1024;
  const now = options.now ?? Date.now;
  const abandonedAfterMs = options.abandonedAfterMs ?? 15 * 60_000;
  const prefix = options.prefix?.replace(/^\/+|\/+$/g, '') || undefined;
  const container: ContainerClient = connect(options.connectionString, options.requestTimeoutMs ?? 60_000).getContainerClient(options.container);
  const limit = createLimiter(options.concurrency ?? 4);
  // Two signals: close() stops waiting retries at once, but gives requests in flight closeTimeoutMs.
  const stopRetrying = new AbortController();
  const abortRequests = new AbortController();
  const retry: RetryPolicy = {
    maxAttempts: options.retry?.maxAttempts ?? 5,
    baseDelayMs: options.retry?.baseDelayMs ?? 500,
    maxDelayMs: options.retry?.maxDelayMs ?? 30_000,
    random: options.random ?? Math.random,
    signal: stopRetrying.signal,
  };
  const inFlight = new Map<string, Promise<FolderUploadResult>>();
  const pending = new Set<string>();
  const counts = { uploadedFiles: 0, uploadedBytes: 0, uploadedFolders: 0, retries: 0, failedFiles: 0 };
  let lastError: string | undefined;
  let containerReady: Promise<void> | undefined;
  let draining: Promise<DrainReport> | undefined;
  let drainTimer: NodeJS.Timeout | undefined;
  let closing: Promise<{ leftInSpool: number }> | undefined;

  const stats = (): BlobRecordingsStats => ({ ...counts, pendingFolders: pending.size, inFlightFolders: inFlight.size, lastError });
  if (options.registry !== undefined) registerBlobRecordingsMetrics(options.registry, stats);

  function ensureContainer(): Promise<void> {
    containerReady ??= container.createIfNotExists({ abortSignal: abortRequests.signal }).then(
      () => undefined,
      (err: unknown) => {
        containerReady = undefined;
        // A SAS limited to one container may not create it: go on and let the upload say whether it exists.
        if (storageErrorOf(err).status === 403) return logger.warn({ container: options.container, err }, 'blob: may not create the container; assuming it exists');
        throw err;
      },
    );
    return containerReady;
  }

  async function uploadFile(folder: SessionFolder, file: SpoolFile): Promise<VerifiedUpload & { blob: string }> {
    const blob = blobNameFor(prefix, folder, file.name);
    const context = { sessionId: folder.sessionId, file: file.name, blob };
    const attempt = async (n: number): Promise<VerifiedUpload & { blob: string }> => {
      try {
        logger.debug({ ...context, attempt: n, bytes: file.bytes }, 'blob: upload start');
        await ensureContainer();
        const result = await uploadFileVerified(container.getBlockBlobClient(blob), {
          path: file.path,
          contentType: contentTypeOf(file.name),
          metadata: { sessionid: folder.sessionId },
          blockSizeBytes,
          signal: abortRequests.signal,
        });
        counts.uploadedFiles++;
        counts.uploadedBytes += result.bytes;
        logger.debug({ ...context, bytes: result.bytes, md5: result.md5 }, 'blob: upload ok');
        return { ...result, blob };
      } catch (err) {
        lastError = `${folder.sessionId}/${file.name}: ${(err as Error).message}`;
        if (storageErrorOf(err).code === 'ContainerNotFound') containerReady = undefined; // deleted, or lost by an emulator restart
        throw err;
      }
    };
    return withRetries(attempt, retry, {
      isFinal: (err) => (err as NodeJS.ErrnoException).code === 'ENOENT', // the local file is gone
      onRetry(err, n, delayMs) {
        counts.retries++;
        const { status, code } = storageErrorOf(err);
        logger.warn({ ...context, attempt: n, maxAttempts: retry.maxAttempts, delayMs, status, code, error: (err as Error).message }, 'blob: upload failed; retrying');
      },
      onGiveUp(err, n) {
        counts.failedFiles++;
        const { status, code } = storageErrorOf(err);
        logger.error({ ...context, attempt: n, status, code, err }, 'blob: upload failed; the session stays in the spool for the next drain');
      },
    });
  }

  async function removeLocal(folder: SessionFolder, files: SpoolFile[]): Promise<void> {
    await Promise.all(files.map((f) => unlink(f.path)));
    const left = await readdir(folder.path);
    if (left.every((name) => name === UPLOAD_MARKER)) {
      await rm(folder.path, { recursive: true, force: true });
      await rmdir(dirname(folder.path)).catch(() => undefined); // the day folder, when it was the last session
    }
  }

  async function uploadFolder(folder: SessionFolder): Promise<FolderUploadResult> {
    const base = { sessionId: folder.sessionId, folder: folder.path };
    if (await isUploaded(folder.path)) {
      pending.delete(folder.path);
      return { ...base, files: 0, bytes: 0, alreadyUploaded: true };
    }
    pending.add(folder.path);
    const files = await listSpoolFiles(folder.path);
    logger.info({ sessionId: folder.sessionId, files: files.length, container: options.container }, 'blob: uploading session');
    const results = await Promise.allSettled(files.map((f) => limit(() => uploadFile(folder, f))));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) {
      throw new BlobRecordingsError(
        BlobRecordingsErrorCode.UploadFailed,
        `upload: ${failed.length} of ${files.length} files of session ${folder.sessionId} could not be uploaded to container ` +
          `${options.container}; they stay in ${folder.path} and are tried again by the next drain. Check the connection string and that Blob Storage is reachable.`,
        { cause: failed[0].reason },
      );
    }
    const uploaded = results.map((r, i) => ({ file: files[i].name, ...(r as PromiseFulfilledResult<VerifiedUpload & { blob: string }>).value }));
    const manifest: UploadManifest = {
      uploadedAt: new Date().toISOString(),
      container: options.container,
      blobs: uploaded.map(({ file, blob, bytes, md5 }) => ({ file, blob, bytes, md5 })),
    };
    await writeUploadMarker(folder.path, manifest);
    pending.delete(folder.path);
    counts.uploadedFolders++;
    const bytes = uploaded.reduce((sum, u) => sum + u.bytes, 0);
    logger.info({ sessionId: folder.sessionId, files: files.length, bytes }, 'blob: session uploaded');
    if (!keepLocal) {
      await removeLocal(folder, files).catch((err: unknown) => logger.warn({ sessionId: folder.sessionId, err }, 'blob: uploaded, but deleting the local files failed'));
    }
    return { ...base, files: files.length, bytes, alreadyUploaded: false };
  }

  function uploadSessionFolder(path: string): Promise<FolderUploadResult> {
    if (closing !== undefined) {
      return Promise.reject(new BlobRecordingsError(BlobRecordingsErrorCode.UploadFailed, `upload: the uploader is closed; ${path} stays in the spool for the next start`));
    }
    let folder: SessionFolder;
    try {
      folder = sessionFolderOf(options.spoolDir, path);
    } catch (err) {
      return Promise.reject(err);
    }
    // The same folder may be asked for twice (session end and a drain): one upload serves both.
    const running = inFlight.get(folder.path);
    if (running !== undefined) return running;
    const upload = uploadFolder(folder).finally(() => inFlight.delete(folder.path));
    inFlight.set(folder.path, upload);
    return upload;
  }

  async function drainOnce(): Promise<DrainReport> {
    const folders = await listPendingFolders(options.spoolDir, { abandonedAfterMs, now: now() });
    for (const f of folders) {
      pending.add(f.path);
      if (!f.ended) logger.warn({ sessionId: f.sessionId, folder: f.path }, 'blob: uploading a session that never ended (its server stopped mid-call)');
    }
    if (folders.length > 0) logger.info({ folders: folders.length, spoolDir: options.spoolDir }, 'blob: draining the spool');
    const results = await Promise.allSettled(folders.map((f) => uploadSessionFolder(f.path)));
    const uploaded = results.filter((r) => r.status === 'fulfilled' && !r.value.alreadyUploaded).length;
    return { found: folders.length, uploaded, failed: results.filter((r) => r.status === 'rejected').length };
  }

  function drainSpool(): Promise<DrainReport> {
    draining ??= drainOnce().finally(() => {
      draining = undefined;
    });
    return draining;
  }

  function onSessionEnd(summary: SessionSummary): void {
    if (summary.recordingDir === undefined || closing !== undefined) return;
    const dir = summary.recordingDir;
    const upload = () => {
      uploadSessionFolder(dir).catch((err: unknown) => {
        // Upload failures are logged per file and the spool keeps the folder; anything else is a setup problem.
        if (!isBlobRecordingsError(err, BlobRecordingsErrorCode.UploadFailed)) logger.error({ sessionId: summary.id, err }, 'blob: could not upload the session');
      });
    };
    if (settleMs === 0) return upload();
    const timer = setTimeout(() => {
      settling.delete(timer);
      if (closing === undefined) upload();
    }, settleMs);
    timer.unref();
    settling.add(timer);
  }

  async function close(): Promise<{ leftInSpool: number }> {
    if (drainTimer !== undefined) clearInterval(drainTimer);
    for (const timer of settling) clearTimeout(timer);
    settling.clear();
    stopRetrying.abort();
    const all = () => Promise.allSettled([...inFlight.values(), ...(draining ? [draining] : [])]);
    const timer = sleep(closeTimeoutMs, 'timeout' as const, { ref: false });
    if ((await Promise.race([all(), timer])) === 'timeout') {
      logger.warn({ inFlight: inFlight.size, closeTimeoutMs }, 'blob: uploads still running at close; aborted, they stay in the spool');
      abortRequests.abort();
      await all();
    }
    return { leftInSpool: pending.size };
  }

  return {
    attach(hub) {
      hub.on('session', (session) => session.once('end', onSessionEnd));
    },
    async start() {
      const report = await drainSpool();
      if (drainIntervalMs > 0 && drainTimer === undefined && closing === undefined) {
        drainTimer = setInterval(() => {
          drainSpool().catch((err: unknown) => logger.error({ err, spoolDir: options.spoolDir }, 'blob: could not read the spool'));
        }, drainIntervalMs);
        drainTimer.unref();
      }
      return report;
    },
    uploadSessionFolder,
    drainSpool,
    async idle() {
      while (inFlight.size > 0 || draining !== undefined) await Promise.allSettled([...inFlight.values(), ...(draining ? [draining] : [])]);
    },
    stats,
    close() {
      closing ??= close();
      return closing;
    },
  };
}
