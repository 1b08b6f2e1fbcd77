// Recordings over HTTP for the dashboard: `GET /api/recordings` lists session folders (those holding a
// session.json), `GET /api/recordings/files/<path>` serves one file from inside the recordings folder only,
// with Range support so <audio> can seek. Nothing outside the folder, nothing but WAV / JSON / JSONL.

import { createReadStream } from 'node:fs';
import { open, readdir, readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Logger } from 'pino';
import type { SessionSummary } from '../media/index.js';

/** Options for the recordings API. */
export interface RecordingsApiOptions {
  /** The recordings folder (the media hub's `recordingsDir`). */
  root: string;
  /** Sessions listed, newest first. @default 100 */
  maxListed?: number;
  /** How deep below the root session folders are looked for (`<day>/<session>` is 2). @default 3 */
  maxDepth?: number;
  logger?: Logger;
}

/** One file of a recorded session. */
export interface RecordingFile {
  name: string;
  /** Path relative to the recordings folder, `/`-separated: append it to `/api/recordings/files/`. */
  path: string;
  bytes: number;
  /** Audio length from the WAV header (WAV files only). */
  seconds: number | undefined;
  /** The track this file holds (`mix` for the mix), when known from session.json. */
  trackId: string | undefined;
  participantRawId: string | undefined;
}

/** One recorded session as `GET /api/recordings` lists it. */
export interface RecordingEntry {
  /** The session folder relative to the recordings folder. */
  dir: string;
  session: SessionSummary | undefined;
  files: RecordingFile[];
}

/** Routes for recordings; `handle` answers the requests it owns and returns false for the others. */
export interface RecordingsApi {
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  list(): Promise<RecordingEntry[]>;
}

const LIST_PATH = '/api/recordings';
const FILES_PREFIX = '/api/recordings/files/';
const CONTENT_TYPES: Record<string, string> = {
  '.wav': 'audio/wav',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
};

/** Creates the recordings routes over a recordings folder. */
export function createRecordingsApi(options: RecordingsApiOptions): RecordingsApi {
  const root = resolve(options.root);
  const maxListed = options.maxListed ?? 100;
  const maxDepth = options.maxDepth ?? 3;

  async function list(): Promise<RecordingEntry[]> {
    const dirs: string[] = [];
    await findSessionDirs(root, 0, maxDepth, dirs);
    const entries = await Promise.all(dirs.map((dir) => describe(root, dir)));
    entries.sort((a, b) => (b.session?.startedAt ?? b.dir).localeCompare(a.session?.startedAt ?? a.dir));
    return entries.slice(0, maxListed);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== LIST_PATH && !url.pathname.startsWith(FILES_PREFIX)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: { code: 'MethodNotAllowed', message: `${req.method} is not supported on ${url.pathname}; use GET` } });
      return true;
    }
    try {
      if (url.pathname === LIST_PATH) sendJson(res, 200, { root, recordings: await list() });
      else await serveFile(req, res, url);
    } catch (err) {
      options.logger?.error({ err }, 'recordings API failed');
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'RecordingsUnavailable', message: 'could not read the recordings folder' } });
      else res.destroy();
    }
    return true;
  }

  async function serveFile(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const file = await resolveInside(root, url.pathname.slice(FILES_PREFIX.length));
    const type = file === undefined ? undefined : CONTENT_TYPES[extname(file).toLowerCase()];
    const info = file === undefined || type === undefined ? undefined : await stat(file).catch(() => undefined);
    if (file === undefined || type === undefined || info === undefined || !info.isFile()) {
      sendJson(res, 404, { error: { code: 'RecordingNotFound', message: 'no such recording file; list them with GET /api/recordings' } });
      return;
    }
    const size = info.size;
    const headers: Record<string, string | number> = { 'content-type': type, 'accept-ranges': 'bytes', 'cache-control': 'no-cache' };
    if (url.searchParams.has('download')) headers['content-disposition'] = `attachment; filename="${file.split(sep).slice(-2).join('-')}"`;
    const range = parseRange(req.headers.range, size);
    if (range === 'unsatisfiable') {
      res.writeHead(416, { ...headers, 'content-range': `bytes */${size}` }).end();
      return;
    }
    const [start, end] = range ?? [0, size - 1];
    headers['content-length'] = Math.max(0, end - start + 1);
    if (range !== undefined) headers['content-range'] = `bytes ${start}-${end}/${size}`;
    res.writeHead(range === undefined ? 200 : 206, headers);
    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return;
    }
    const stream = createReadStream(file, { start, end });
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  return { handle, list };
}

/** Resolves a URL path below the root; undefined when it names anything outside (`..`, absolute, symlink out). */
async function resolveInside(root: string, urlPath: string): Promise<string | undefined> {
  let segments: string[];
  try {
    segments = urlPath.split('/').map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\0') || s.includes('/') || s.includes('\\'))) return undefined;
  const candidate = join(root, ...segments);
  if (!isInside(root, candidate)) return undefined;
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(candidate)]);
    return isInside(realRoot, realFile) ? realFile : undefined;
  } catch {
    return undefined;
  }
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** One `bytes=` range (the first when several are asked); undefined means the whole file. */
function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)/.exec(header.trim());
  if (match === null) return undefined;
  const [, from, to] = match;
  if (from === '' && to === '') return undefined;
  let start: number;
  let end: number;
  if (from === '') {
    start = Math.max(0, size - Number(to));
    end = size - 1;
  } else {
    start = Number(from);
    end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return [start, end];
}

async function findSessionDirs(dir: string, depth: number, maxDepth: number, found: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  if (depth > 0 && entries.some((e) => e.isFile() && e.name === 'session.json')) {
    found.push(dir);
    return;
  }
  if (depth >= maxDepth) return;
  for (const e of entries) if (e.isDirectory()) await findSessionDirs(join(dir, e.name), depth + 1, maxDepth, found);
}

async function describe(root: string, dir: string): Promise<RecordingEntry> {
  const session = await readFile(join(dir, 'session.json'), 'utf8').then((t) => JSON.parse(t) as SessionSummary).catch(() => undefined);
  const names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && extname(e.name).toLowerCase() in CONTENT_TYPES);
  const files = await Promise.all(
    names.map(async (e): Promise<RecordingFile> => {
      const path = join(dir, e.name);
      const bytes = (await stat(path)).size;
      const isWav = extname(e.name).toLowerCase() === '.wav';
      const trackId = isWav ? e.name.slice(0, -4) : undefined;
      const participant = session?.participants.find((p) => p.trackId === trackId);
      return {
        name: e.name,
        path: relative(root, path).split(sep).join('/'),
        bytes,
        seconds: isWav ? await wavSeconds(path, bytes) : undefined,
        trackId,
        participantRawId: participant?.participantRawId,
      };
    }),
  );
  files.sort((a, b) => a.name.localeCompare(b.name));
  return { dir: relative(root, dir).split(sep).join('/'), session, files };
}

/** Reads a WAV's length from its chunks; a data size left unset (file still being written) uses the file size. */
async function wavSeconds(path: string, bytes: number): Promise<number | undefined> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(bytes, 4096));
    await handle.read(head, 0, head.length, 0);
    if (head.length < 12 || head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE') return undefined;
    let byteRate: number | undefined;
    for (let at = 12; at + 8 <= head.length; ) {
      const id = head.toString('latin1', at, at + 4);
      const size = head.readUInt32LE(at + 4);
      if (id === 'fmt ' && at + 20 <= head.length) byteRate = head.readUInt32LE(at + 16);
      if (id === 'data') {
        const available = bytes - (at + 8);
        const dataBytes = size === 0 || size > available ? available : size;
        return byteRate === undefined || byteRate === 0 ? undefined : dataBytes / byteRate;
      }
      at += 8 + size + (size & 1);
    }
    return undefined;
  } finally {
    await handle.close();
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
