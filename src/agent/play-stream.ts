// The agent's playback of model audio: the session's PlayStream (docs/media.md: paced at real time, resampled with
// src/audio's resampler, playedMs/heardMs from the pacing model). One seam, so the transport never depends on how a
// session builds its playbacks.
import type { MediaSession, PlayStream } from '../media/index.js';

/** What the bridge needs of a playback fed while it plays (the media contract's PlayStream). */
export type AgentPlayStream = PlayStream;

/** Opens a playback of PCM16 mono at `sampleRate` on `session`. */
export function openPlayStream(session: MediaSession, sampleRate: number, maxQueuedMs: number): AgentPlayStream {
  return session.playStream({ sampleRate, maxQueuedMs });
}
