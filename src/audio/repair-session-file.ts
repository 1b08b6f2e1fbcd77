// The session.json half of crash repair: a server killed mid-call leaves its session's session.json saying
// "streaming" (or "connecting", "interrupted") with no endedAt, and frame counts that lag the audio on disk. This
// ends it as the server would have (docs/media.md §Files), from what the folder holds. Only the few fields a
// recording's summary shares with every reader are touched; the rest is kept as written.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { FRAME_MS } from './pcm.js';

/** A session.json that still said its session was live, and what it says now (or would, in a dry run). */
export interface SessionFileRepair {
  readonly path: string;
  /** The state it was left in: `connecting`, `streaming` or `interrupted`. */
  readonly stateBefore: string;
  /** `ended`, or `failed` for a session that never got its AudioMetadata (as a normal end would say). */
  readonly state: 'ended' | 'failed';
  /** The newest write to any file of the session folder, before the repair: when it was last seen alive. */
  readonly endedAt: string;
  /** Frames in its participants' WAVs (20 ms each), as repaired. */
  readonly frames: number;
}

/** A track WAV's length after its repair. */
export interface TrackLength {
  readonly durationMs: number;
}

/** What the folder walk learned about one session folder. */
export interface SessionFileInput {
  /** Repaired WAVs of the folder by file name. */
  readonly tracks: ReadonlyMap<string, TrackLength>;
  readonly lastWriteMs: number;
  readonly nowMs: number;
  readonly dryRun: boolean;
}


interface Participant {
  file?: unknown;
  frames?: unknown;
  seconds?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Ends a session.json that a crash left live. Returns undefined when it had ended (left byte for byte), the repair
 * otherwise, or `{ reason }` when the file cannot be read as a summary.
 */
export async function repairSessionFile(path: string, input: SessionFileInput): Promise<SessionFileRepair | { reason: string } | undefined> {
  let summary: unknown;
  try {
    summary = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    const what = cause instanceof SyntaxError ? 'is not valid JSON' : `cannot be read (${(cause as Error).message})`;
    return { reason: `session.json ${what}; left as it is` };
  }
  if (!isRecord(summary)) return { reason: 'session.json is not a session summary (an object); left as it is' };
  if (typeof summary.endedAt === 'string' && summary.endedAt !== '') return undefined;

  const stateBefore = typeof summary.state === 'string' ? summary.state : 'unknown';
  const state = typeof summary.sampleRate === 'number' ? 'ended' : 'failed';
  const endedAt = new Date(input.lastWriteMs).toISOString();
  let frames = 0;
  const participants = Array.isArray(summary.participants) ? (summary.participants as unknown[]) : [];
  for (const participant of participants) {
    if (!isRecord(participant)) continue;
    const p = participant as Participant;
    const track = typeof p.file === 'string' ? input.tracks.get(p.file) : undefined;
    if (track === undefined) continue;
    p.frames = Math.floor(track.durationMs / FRAME_MS);
    p.seconds = ((p.frames as number) * FRAME_MS) / 1000;
    frames += p.frames as number;
  }
  if (isRecord(summary.counts)) summary.counts.framesWritten = frames;
  Object.assign(summary, {
    state,
    endedAt,
    endReason: `crashed: the server stopped while the session was ${stateBefore}, without ending it`,
    repairedAt: new Date(input.nowMs).toISOString(),
    // Up to the last second before the crash was never written (docs/media.md §Files).
    recordingIncomplete: true,
  });
  if (!input.dryRun) {
    try {
      // Atomic, as the server writes it: a second crash leaves the old summary or the new one, never half.
      await writeFile(`${path}.tmp`, `${JSON.stringify(summary)}\n`, 'utf8');
      await rename(`${path}.tmp`, path);
    } catch (cause) {
      return { reason: `session.json cannot be written (${(cause as Error).message}); it still says ${stateBefore}` };
    }
  }
  return { path, stateBefore, state, endedAt, frames };
}
