// Writes subscribed frames to one WAV per session track (<dir>/<session>/<track>.wav). The file is the truth about
// what is written: a frame whose sequence is already in the file is skipped (a redelivery after a restart), a jump
// in sequence is filled with silence and counted, and an existing file is continued — so a tap can stop and resume.
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createWavWriter, frameSamples, readWavFile, type WavWriter } from '../audio/index.js';
import type { SubscribedFrame } from './subscribe.js';

/** One track file's figures. */
export interface WavTapTrack {
  sessionId: string;
  trackId: string;
  path: string;
  /** Frames in the file (the next expected sequence number). */
  frames: number;
  /** Frames skipped because the file already held them. */
  duplicates: number;
  /** Frames filled with silence because their sequence numbers never arrived. */
  missing: number;
}

/** File and folder names from ids: anything outside [A-Za-z0-9+_.-] becomes `_`, and no leading dot. */
function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9+_.-]/g, '_').replace(/^\.+/, '_') || '_';
}

interface OpenTrack extends WavTapTrack {
  writer: WavWriter;
  spf: number;
}

/** WAV files of a tap. */
export class WavTap {
  private readonly tracks = new Map<string, Promise<OpenTrack>>();

  constructor(private readonly dir: string) {}

  /** Appends a frame to its track's file (opening or continuing the file first). */
  async write(frame: SubscribedFrame): Promise<void> {
    const track = await this.open(frame);
    if (frame.sequence < track.frames) {
      track.duplicates++;
      return;
    }
    while (track.frames < frame.sequence) {
      track.writer.write(new Int16Array(track.spf));
      track.frames++;
      track.missing++;
    }
    track.writer.write(frame.samples);
    track.frames++;
  }

  /** Writes everything written so far to disk (each file a valid WAV afterwards). */
  async flush(): Promise<void> {
    await Promise.all([...this.tracks.values()].map(async (t) => (await t).writer.flush()));
  }

  /** Closes the files of one session (after its `session.ended` event). */
  async closeSession(sessionId: string): Promise<WavTapTrack[]> {
    const done: WavTapTrack[] = [];
    for (const [key, pending] of this.tracks) {
      const track = await pending;
      if (track.sessionId !== sessionId) continue;
      await track.writer.close();
      this.tracks.delete(key);
      done.push(figures(track));
    }
    return done;
  }

  /** Closes every file. */
  async close(): Promise<WavTapTrack[]> {
    const all = await Promise.all([...this.tracks.values()]);
    await Promise.all(all.map((t) => t.writer.close()));
    this.tracks.clear();
    return all.map(figures);
  }

  private open(frame: SubscribedFrame): Promise<OpenTrack> {
    const key = `${frame.sessionId}\u0000${frame.trackId}`;
    let track = this.tracks.get(key);
    if (track === undefined) {
      track = this.openFile(frame);
      this.tracks.set(key, track);
    }
    return track;
  }

  private async openFile(frame: SubscribedFrame): Promise<OpenTrack> {
    const folder = join(this.dir, safeName(frame.sessionId));
    await mkdir(folder, { recursive: true });
    const path = join(folder, `${safeName(frame.trackId)}.wav`);
    const spf = frameSamples(frame.sampleRate);
    // Continue an existing file: its samples are rewritten first (a WAV writer starts a new file).
    const existing = await access(path).then(
      () => readWavFile(path),
      () => undefined,
    );
    const writer = await createWavWriter(path, { sampleRate: frame.sampleRate });
    let frames = 0;
    if (existing !== undefined && existing.sampleRate === frame.sampleRate && existing.channels === 1) {
      frames = Math.floor(existing.samples.length / spf);
      writer.write(existing.samples.subarray(0, frames * spf));
      await writer.flush();
    }
    return { sessionId: frame.sessionId, trackId: frame.trackId, path, frames, duplicates: 0, missing: 0, writer, spf };
  }
}

function figures(t: OpenTrack): WavTapTrack {
  return { sessionId: t.sessionId, trackId: t.trackId, path: t.path, frames: t.frames, duplicates: t.duplicates, missing: t.missing };
}
