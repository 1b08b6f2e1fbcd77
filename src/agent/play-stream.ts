// The agent's playback of model audio is the session's PlayStream (docs/media.md §Playout: paced at real time,
// resampled with src/audio's resampler, playedMs/heardMs from the pacing model). One seam, so the transport names
// only what it uses.
import type { MediaSession, PlayStream } from '../media/index.js';

/** What the bridge needs of a playback fed while it plays. */
export type AgentPlayStream = PlayStream;

/** Opens a playback of PCM16 mono at `sampleRate` on `session`. */
export function openPlayStream(session: MediaSession, sampleRate: number, maxQueuedMs: number): AgentPlayStream {
  return session.playStream({ sampleRate, maxQueuedMs });
}
