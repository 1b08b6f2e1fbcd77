// media: sessions, tracks, timelines, sinks (recorder, mix), talk-back. See ARCHITECTURE.md and docs/media.md.
export type {
  AudioFrame,
  ConnectionInfo,
  MediaConnection,
  MediaHub,
  MediaHubOptions,
  MediaHubStats,
  MediaSession,
  MediaSessionEvents,
  MediaHubEvents,
  ParticipantEvent,
  SessionCallEvent,
  PlayHandle,
  PlayResult,
  PlaySource,
  PlayStream,
  PlayoutEvent,
  UtteranceEvent,
  SessionState,
  SessionSummary,
  Sink,
} from './contract.js';
export { createMediaHub } from './media-hub.js';
export { SessionLimitCloseCode } from './contract.js';
export { MediaError, MediaErrorCode, isMediaError } from './media-error.js';
export { createTrackId } from './track-id.js';
export { SafeEmitter, type EventMap, type Listener, type TypedEvents } from './safe-emitter.js';
export { checkRecordingsFolder, recordingDirFor } from './session-recording.js';
export type { RecordingFailureReason } from './recording-health.js';
