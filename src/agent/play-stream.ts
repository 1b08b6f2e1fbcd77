// The agent's playback of model audio: the session's PlayStream (docs/media.md: paced at real time, resampled with
// src/audio's resampler, playedMs/heardMs from the pacing model). Until every session offers `playStream`, a stand-in
// built on `session.play({ stream })` estimates playedMs from wall time since the first write (what ACS does: it
// plays what it is sent in real time). TEMPORARY: removed once the media layer's PlayStream is on main.
import type { MediaSession } from '../media/index.js';

/** What the bridge needs of a playback fed while it plays (the media contract's PlayStream). */
export interface AgentPlayStream {
  readonly id: string;
  readonly done: Promise<{ status: 'completed' | 'cancelled'; sentMs?: number; heardMs?: number }>;
  /** Milliseconds sent to ACS so far. */
  readonly sentMs: number;
  /** Milliseconds the caller has heard so far (frozen once cut). */
  readonly playedMs: number;
  write(samples: Int16Array): void;
  end(): void;
  cancel(): void;
}

interface PlayStreamSession {
  playStream?(options: { sampleRate: number; maxQueuedMs?: number }): AgentPlayStream;
}

/** Opens a playback of PCM16 mono at `sampleRate` on `session`. */
export function openPlayStream(session: MediaSession, sampleRate: number, maxQueuedMs: number): AgentPlayStream {
  const native = (session as unknown as PlayStreamSession).playStream;
  if (typeof native === 'function') return native.call(session, { sampleRate, maxQueuedMs });
  return new EstimatedPlayStream(session, sampleRate);
}

class EstimatedPlayStream implements AgentPlayStream {
  readonly id: string;
  readonly done: AgentPlayStream['done'];
  private readonly chunks: Int16Array[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  private writtenSamples = 0;
  private startedAt: number | undefined;
  private frozen: number | undefined;
  private readonly handle: { id: string; cancel(): void };

  constructor(session: MediaSession, private readonly sampleRate: number) {
    const handle = session.play({ stream: this.iterate(), sampleRate });
    this.handle = handle;
    this.id = handle.id;
    this.done = handle.done.then((r) => {
      this.frozen = this.playedMs;
      return { status: r.status, sentMs: this.sentMs, heardMs: this.frozen };
    });
  }

  private async *iterate(): AsyncGenerator<Int16Array> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk) {
        yield chunk;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  get sentMs(): number {
    return (this.writtenSamples * 1000) / this.sampleRate;
  }

  get playedMs(): number {
    if (this.frozen !== undefined) return this.frozen;
    if (this.startedAt === undefined) return 0;
    return Math.max(0, Math.min(this.sentMs, Date.now() - this.startedAt));
  }

  write(samples: Int16Array): void {
    if (this.ended) return;
    this.startedAt ??= Date.now();
    this.writtenSamples += samples.length;
    this.chunks.push(samples);
    this.wake?.();
    this.wake = undefined;
  }

  end(): void {
    this.ended = true;
    this.wake?.();
    this.wake = undefined;
  }

  cancel(): void {
    this.frozen ??= this.playedMs;
    this.end();
    this.handle.cancel();
  }
}
