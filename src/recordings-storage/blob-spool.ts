// The spool: the media server's local recordings folder, read as a queue of finished sessions waiting for Blob
// Storage. A session folder `<spoolDir>/<YYYY-MM-DD>/<session id>/` is finished when its session.json has an
// `endedAt` (or, after a crash, when nothing in it changed for a while), and done when it holds the upload marker,
// written only after every file was uploaded and verified. The folder layout is the media server's (recordingDirFor):
// a folder counts as a session's only where the media server would have recorded that session.
import { readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { recordingDirFor } from '../media/session-recording.js';
import { BlobRecordingsError, BlobRecordingsErrorCode } from './blob-recordings-error.js';

/** Name of the marker file that says a session folder is in Blob Storage (JSON: what was uploaded, when). */
export const UPLOAD_MARKER = '.uploaded';

/** One session's recording folder in the spool. */
export interface SessionFolder {
  /** Absolute path. */
  path: string;
  /** The folder relative to the spool, `/`-separated (`<YYYY-MM-DD>/<session id>`): blob names repeat it. */
  key: string;
  sessionId: string;
}

/** One file to upload. */
export interface SpoolFile {
  name: string;
  path: string;
  bytes: number;
}

/** What the marker records: enough to find every blob again without listing the container. */
export interface UploadManifest {
  uploadedAt: string;
  container: string;
  blobs: Array<{ file: string; blob: string; bytes: number; md5: string }>;
}

/** Where the media server records session `sessionId` started on the UTC day `day` (the name of a day folder), or
 *  undefined when `day` names no day. */
function recordingFolderOf(spoolDir: string, day: string, sessionId: string): string | undefined {
  const dayMs = Date.parse(`${day}T00:00:00.000Z`);
  return Number.isNaN(dayMs) ? undefined : resolve(recordingDirFor(spoolDir, dayMs, sessionId));
}

function folderAt(spoolDir: string, path: string): SessionFolder {
  return { path, key: relative(resolve(spoolDir), path).split(sep).join('/'), sessionId: basename(path) };
}

/** The session folder at `path`, which must be where the media server records a session: `<spoolDir>/<YYYY-MM-DD>/<session id>`. */
export function sessionFolderOf(spoolDir: string, path: string): SessionFolder {
  const absolute = resolve(path);
  const sessionId = basename(absolute);
  if (sessionId.startsWith('.') || recordingFolderOf(spoolDir, basename(dirname(absolute)), sessionId) !== absolute) {
    throw new BlobRecordingsError(
      BlobRecordingsErrorCode.NotASessionFolder,
      `upload: ${path} is not a session folder <spoolDir>/<YYYY-MM-DD>/<session id> under the spool ${spoolDir}; ` +
        'give the recordingDir of a session of a media server whose recordingsDir is the spool.',
    );
  }
  return folderAt(spoolDir, absolute);
}

/** Blob name of `file` of `folder`: `<prefix>/<YYYY-MM-DD>/<session id>/<file>`, the local layout under the prefix. */
export function blobNameFor(prefix: string | undefined, folder: SessionFolder, file: string): string {
  const name = `${folder.key}/${file}`;
  return prefix === undefined ? name : `${prefix}/${name}`;
}

/** Content type by file kind: track and mix WAVs, session.json, transcript / events JSON Lines. */
export function contentTypeOf(file: string): string {
  if (file.endsWith('.wav')) return 'audio/wav';
  if (file.endsWith('.jsonl')) return 'application/x-ndjson';
  if (file.endsWith('.json')) return 'application/json';
  return 'application/octet-stream';
}

/** True when session.json says the session ended (the media server writes it last, after every file is final). */
export async function hasEnded(folder: string): Promise<boolean> {
  try {
    const summary = JSON.parse(await readFile(join(folder, 'session.json'), 'utf8')) as { endedAt?: unknown };
    return typeof summary.endedAt === 'string' && summary.endedAt !== '';
  } catch {
    return false; // no session.json yet, or half-written by a crash: not finished
  }
}

/** True when the folder holds the upload marker. */
export async function isUploaded(folder: string): Promise<boolean> {
  return stat(join(folder, UPLOAD_MARKER)).then(
    () => true,
    () => false,
  );
}

/** The files to upload: every regular file except hidden ones (the marker) and `*.tmp` (atomic writes in flight). */
export async function listSpoolFiles(folder: string): Promise<SpoolFile[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const files: SpoolFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.startsWith('.') || entry.name.endsWith('.tmp')) continue;
    const path = join(folder, entry.name);
    files.push({ name: entry.name, path, bytes: (await stat(path)).size });
  }
  return files.sort((a, b) => a.name.localeCompare(b.name));
}

/** Which folders count as finished. */
export interface PendingScan {
  /** A folder whose session.json has no endedAt (its server crashed) counts as finished once none of its files
   *  changed for this long; a live session rewrites session.json every few seconds. 0 = never. */
  abandonedAfterMs: number;
  now: number;
}

/** A session folder found by a scan; `ended` is false for an abandoned one (no endedAt). */
export interface PendingFolder extends SessionFolder {
  ended: boolean;
}

/** Every finished session folder without the marker, oldest day first. A missing spool is empty. */
export async function listPendingFolders(spoolDir: string, scan: PendingScan): Promise<PendingFolder[]> {
  const days = await readdir(spoolDir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  const pending: PendingFolder[] = [];
  // Only folders where the media server records a session count (so not one of a day folder's look-alikes).
  for (const day of days.filter((d) => d.isDirectory() && !d.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name))) {
    const sessions = await readdir(join(spoolDir, day.name), { withFileTypes: true });
    for (const session of sessions) {
      if (!session.isDirectory() || session.name.startsWith('.')) continue;
      const path = resolve(spoolDir, day.name, session.name);
      if (recordingFolderOf(spoolDir, day.name, session.name) !== path || (await isUploaded(path))) continue;
      const ended = await hasEnded(path);
      if (ended || (await isAbandoned(path, scan))) pending.push({ ...folderAt(spoolDir, path), ended });
    }
  }
  return pending;
}

async function isAbandoned(folder: string, scan: PendingScan): Promise<boolean> {
  if (scan.abandonedAfterMs <= 0) return false;
  const files = await listSpoolFiles(folder).catch(() => []);
  if (files.length === 0) return false;
  const newest = Math.max(...(await Promise.all(files.map(async (f) => (await stat(f.path)).mtimeMs))));
  return scan.now - newest >= scan.abandonedAfterMs;
}

/** Write the marker atomically (temp file + rename), so a crash never leaves a marker for a partial upload. */
export async function writeUploadMarker(folder: string, manifest: UploadManifest): Promise<void> {
  const path = join(folder, UPLOAD_MARKER);
  await writeFile(`${path}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  await rename(`${path}.tmp`, path);
}
