// The media server: HTTP + WebSocket edges around the media hub. See ARCHITECTURE.md.
export { createMediaServer, type MediaServer, type MediaServerEvents } from './media-server.js';
export type { MediaServerOptions } from './media-server-options.js';
export { IngestCloseCode, type IngestLimits } from './ingest.js';
export { parseCallEvents, type CallEvent, type CallState } from './call-events.js';
export { createJwtVerifier, AuthFailure, ACS_JWKS_URL, ACS_JWT_ISSUER, type JwtVerifier, type JwtVerifierOptions } from './auth/jwt-verifier.js';
export { createLiveFeed, type LiveFeed, type LiveFeedOptions } from './live-feed.js';
export { tuneGcForStreaming } from './gc-tuning.js';
export type {
  AudioFrame,
  MediaHub,
  MediaHubOptions,
  MediaSession,
  PlayHandle,
  PlaySource,
  SessionState,
  SessionSummary,
} from '../media/index.js';
export { repairOnStart } from './repair-on-start.js';
export {
  createWorkerLink,
  createWorkerPool,
  WORKER_SLOT_ENV,
  WORKER_URL_ENV,
  type WorkerChannel,
  type WorkerLink,
  type WorkerPool,
  type WorkerSessionSummary,
} from './workers/index.js';
