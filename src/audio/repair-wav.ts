// Crash repair: a recording cut short (process killed between a data write and its header update, or before any
// header update) has RIFF/data sizes that disagree with what is on disk. repairWav makes the header describe the
// whole sample frames really there; repairRecordings does it for every .wav under a folder, then brings each
// session.json the crash left unfinished up to date (repair-session-file.ts).
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isWavError, WavError, WavErrorCode } from './audio-error.js';
import { checkRiffHeader } from './wav-header.js';
import { repairSessionFile, type SessionFileRepair, type TrackLength } from './repair-session-file.js';

/** Options for {@link repairWav} and {@link repairRecordings}. */
export interface RepairOptions {
  /** Only check: report what would be repaired, change nothing. @default false */
  readonly dryRun?: boolean;
  /** The clock for `repairedAt` in a session.json brought up to date. @default Date.now */
  readonly now?: () => number;
}

/** What repairWav found and did (or, in a dry run, would do). */
export interface RepairResult {
  readonly path: string;
  /** True when the header (and possibly the file length) was changed, or would be in a dry run. */
  readonly repaired: boolean;
  /** The data size the header declared before. */
  readonly declaredDataBytes: number;
  /** The data size now: the whole sample frames on disk. */
  readonly dataBytes: number;
  /** Bytes of a partial sample frame cut off the end. */
  readonly trimmedBytes: number;
  readonly sampleRate: number;
  readonly channels: number;
  readonly durationMs: number;
}

/** One file repairRecordings could not check or repair. */
export interface RepairFailure {
  readonly path: string;
  /** A WavError code; ERR_WAV_IO for file-system errors and for a session.json that cannot be read as JSON. */
  readonly code: string;
  readonly reason: string;
}

/** What repairRecordings did to a folder tree. */
export interface RepairReport {
  readonly folder: string;
  /** .wav files looked at (healthy + repaired + failed). */
  readonly checked: number;
  /** Files that needed nothing. */
  readonly healthy: number;
  readonly repaired: RepairResult[];
  readonly failed: RepairFailure[];
  /** session.json files that still said the session was live (the server crashed), now ended. */
  readonly sessions: SessionFileRepair[];
}

interface Layout {
  readonly fileSize: number;
  readonly riffSize: number;
  readonly sampleRate: number;
  readonly channels: number;
  readonly blockAlign: number;
  /** Offset of the first sample. */
  readonly dataStart: number;
  readonly declaredDataBytes: number;
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/** Walks the chunks up to `data`, reading only headers (never the samples). */
async function readLayout(handle: FileHandle, path: string): Promise<Layout> {
  const fileSize = (await handle.stat()).size;
  const head = await readAt(handle, 0, 12);
  checkRiffHeader(head, path);
  let format: { sampleRate: number; channels: number; blockAlign: number } | undefined;
  let pos = 12;
  for (;;) {
    const chunk = await readAt(handle, pos, 8);
    if (chunk.length < 8) break;
    const id = chunk.toString('latin1', 0, 4);
    const size = chunk.readUInt32LE(4);
    if (id === 'fmt ') {
      const body = await readAt(handle, pos + 8, 16);
      if (body.length < 16) throw new WavError(WavErrorCode.Truncated, 'the fmt chunk is cut short', { path });
      format = { channels: body.readUInt16LE(2), sampleRate: body.readUInt32LE(4), blockAlign: body.readUInt16LE(12) };
      if (format.blockAlign < 1 || format.sampleRate < 1) {
        throw new WavError(WavErrorCode.BadFormat, `impossible format: block size ${format.blockAlign}, ${format.sampleRate} Hz`, { path });
      }
    } else if (id === 'data') {
      if (format === undefined) throw new WavError(WavErrorCode.BadFormat, 'the data chunk comes before any fmt chunk', { path });
      return { fileSize, riffSize: head.readUInt32LE(4), ...format, dataStart: pos + 8, declaredDataBytes: size };
    }
    pos += 8 + size + (size & 1);
  }
  if (format === undefined) throw new WavError(WavErrorCode.BadFormat, 'there is no fmt chunk', { path });
  throw new WavError(WavErrorCode.NoData, 'there is no data chunk to repair', { path });
}

/** True when the bytes from `pos` to the end are well-formed chunks (so they are not stray samples). */
async function chunksToEnd(handle: FileHandle, pos: number, fileSize: number): Promise<boolean> {
  while (pos < fileSize) {
    const chunk = await readAt(handle, pos, 8);
    if (chunk.length < 8) return false;
    for (let i = 0; i < 4; i++) if (chunk[i] < 0x20 || chunk[i] > 0x7e) return false;
    const size = chunk.readUInt32LE(4);
    pos += 8 + size + (size & 1);
  }
  return pos === fileSize;
}

/** The data size the file really holds: whole frames, up to the end unless proper chunks follow the declared data. */
async function realDataBytes(handle: FileHandle, layout: Layout): Promise<number> {
  const { fileSize, dataStart, declaredDataBytes, blockAlign } = layout;
  const onDisk = fileSize - dataStart;
  if (declaredDataBytes <= onDisk && declaredDataBytes % blockAlign === 0) {
    const end = dataStart + declaredDataBytes + (declaredDataBytes & 1);
    if (end === fileSize || (end < fileSize && (await chunksToEnd(handle, end, fileSize)))) return declaredDataBytes;
  }
  return onDisk - (onDisk % blockAlign);
}

/**
 * Makes a WAV's RIFF and data sizes match the whole sample frames on disk, trimming a partial frame at the end.
 * A healthy file is left untouched (`repaired: false`). Throws WavError for a file that is not a repairable WAV.
 * Do not run it on a file another process is still writing.
 */
export async function repairWav(path: string, options: RepairOptions = {}): Promise<RepairResult> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, options.dryRun ? 'r' : 'r+');
    const layout = await readLayout(handle, path);
    const dataBytes = await realDataBytes(handle, layout);
    const { dataStart, fileSize, declaredDataBytes } = layout;
    const pad = dataBytes & 1;
    const dataEnd = dataStart + dataBytes;
    const trailing = dataBytes !== declaredDataBytes || fileSize < dataEnd + pad;
    const finalSize = trailing ? dataEnd + pad : fileSize;
    const trimmedBytes = trailing ? Math.max(0, fileSize - dataEnd - pad) : 0;
    const repaired = trailing || layout.riffSize !== finalSize - 8;
    if (repaired && !options.dryRun) {
      if (trailing) {
        await handle.truncate(dataEnd);
        if (pad) await handle.write(Buffer.alloc(1), 0, 1, dataEnd);
      }
      const size = Buffer.alloc(4);
      size.writeUInt32LE(dataBytes, 0);
      await handle.write(size, 0, 4, dataStart - 4);
      size.writeUInt32LE(finalSize - 8, 0);
      await handle.write(size, 0, 4, 4);
    }
    const frames = dataBytes / layout.blockAlign;
    return {
      path,
      repaired,
      declaredDataBytes,
      dataBytes,
      trimmedBytes,
      sampleRate: layout.sampleRate,
      channels: layout.channels,
      durationMs: (frames * 1000) / layout.sampleRate,
    };
  } catch (cause) {
    if (isWavError(cause)) throw cause;
    throw new WavError(WavErrorCode.Io, `cannot repair: ${(cause as Error).message}`, { cause, path });
  } finally {
    await handle?.close();
  }
}

/** What a walk of the recordings folder found: the WAVs, and each session.json with its folder's last write. */
interface FoundFiles {
  readonly wavs: string[];
  readonly sessions: Array<{ path: string; lastWriteMs: number }>;
}

/** Every .wav and session.json under `folder` (any depth, sorted, symbolic links not followed). */
async function findRecordingFiles(folder: string, failed: RepairFailure[], found: FoundFiles = { wavs: [], sessions: [] }): Promise<FoundFiles> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (cause) {
    failed.push({ path: folder, code: WavErrorCode.Io, reason: `cannot list the folder: ${(cause as Error).message}` });
    return found;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) await findRecordingFiles(path, failed, found);
    else if (entry.isFile() && entry.name.toLowerCase().endsWith('.wav')) found.wavs.push(path);
  }
  if (entries.some((e) => e.isFile() && e.name === 'session.json')) {
    // Read before any repair touches the files: the newest write is when the session was last seen alive.
    const times = await Promise.all(entries.filter((e) => e.isFile()).map((e) => stat(join(folder, e.name)).then((s) => s.mtimeMs, () => 0)));
    found.sessions.push({ path: join(folder, 'session.json'), lastWriteMs: Math.max(...times) });
  }
  return found;
}

/**
 * Checks every .wav under `folder` and repairs those cut short, then ends every session.json that still says its
 * session is live (the server crashed): state, end time, frames from the WAVs. Never throws for a bad file:
 * failures are listed with their reason. Throws WAV_IO only when `folder` itself cannot be read.
 */
export async function repairRecordings(folder: string, options: RepairOptions = {}): Promise<RepairReport> {
  try {
    await readdir(folder);
  } catch (cause) {
    throw new WavError(WavErrorCode.Io, `cannot read the recordings folder: ${(cause as Error).message}`, { cause, path: folder });
  }
  const failed: RepairFailure[] = [];
  const files = await findRecordingFiles(folder, failed);
  const repaired: RepairResult[] = [];
  const lengths = new Map<string, Map<string, TrackLength>>();
  let healthy = 0;
  for (const path of files.wavs) {
    try {
      const result = await repairWav(path, options);
      if (result.repaired) repaired.push(result);
      else healthy++;
      const inFolder = lengths.get(dirname(path)) ?? new Map<string, TrackLength>();
      inFolder.set(basename(path), { durationMs: result.durationMs });
      lengths.set(dirname(path), inFolder);
    } catch (error) {
      if (isWavError(error)) failed.push({ path, code: error.code, reason: error.reason });
      else failed.push({ path, code: WavErrorCode.Io, reason: String(error) });
    }
  }
  const sessions: SessionFileRepair[] = [];
  const now = options.now ?? Date.now;
  for (const session of files.sessions) {
    const tracks = lengths.get(dirname(session.path)) ?? new Map<string, TrackLength>();
    const outcome = await repairSessionFile(session.path, { tracks, lastWriteMs: session.lastWriteMs, nowMs: now(), dryRun: options.dryRun === true });
    if (outcome === undefined) continue;
    if ('reason' in outcome) failed.push({ path: session.path, code: WavErrorCode.Io, reason: outcome.reason });
    else sessions.push(outcome);
  }
  return { folder, checked: files.wavs.length, healthy, repaired, failed, sessions };
}
