// The emulator's media engine (placeholder until it lands): streams call audio to WebSocket servers.
import type { MediaEngine } from '../media-engine-contract.js';

/** Options for the media engine. */
export interface MediaEngineOptions {
  /** Playback speed factor (2 = twice real time) for tests. @default 1 */
  speed?: number;
  /** Folder where what the app plays into the call is recorded. @default a temp folder */
  playbackDir?: string;
  logger?: import('pino').Logger;
}

/** Creates the media engine. */
export function createMediaEngine(_options: MediaEngineOptions = {}): MediaEngine {
  throw new Error('media engine not implemented yet');
}
