// Public entry point of acs-audio-streaming: an explicit export list.
export * from './protocol/index.js';
export {
  FRAME_MS,
  frameSamples,
  levelDbfs,
  isSilence,
  mixFrames,
  toMono,
  resample,
  createResampler,
  readWav,
  readWavFile,
  encodeWav,
  createWavWriter,
  repairWav,
  repairRecordings,
  WavError,
  WavErrorCode,
  isWavError,
  type WavAudio,
  type WavWriter,
  type Resampler,
} from './audio/index.js';
export { createMediaHub, MediaError, MediaErrorCode, isMediaError } from './media/index.js';
export type {
  AudioFrame,
  MediaHub,
  MediaHubOptions,
  MediaSession,
  PlayHandle,
  PlaySource,
  SessionState,
  SessionSummary,
  Sink,
} from './media/index.js';
export { createMediaServer, createJwtVerifier, AuthFailure, tuneGcForStreaming, type MediaServer, type MediaServerOptions, type CallEvent } from './server/index.js';
export {
  subscribe,
  WavTap,
  NatsHeader,
  createSubjects,
  type NatsOptions,
  type NatsSubscription,
  type SubscribeOptions,
  type SubscribedMessage,
  type SubscribedFrame,
  type SubscribedEvent,
  type SubscribedTranscript,
  type SubscribedDtmf,
  type SessionEventMessage,
  type TranscriptMessage,
  type DtmfMessage,
  type RegistryEntry,
  type ClusterSessionSummary,
} from './cluster/index.js';
export { ClusterError, ClusterErrorCode, isClusterError } from './cluster/index.js';
export {
  createBlobRecordingsUploader,
  parseRecordingsTarget,
  blobConnectionStringFrom,
  BlobRecordingsError,
  BlobRecordingsErrorCode,
  isBlobRecordingsError,
  type BlobRecordingsOptions,
  type BlobRecordingsStats,
  type BlobRecordingsUploader,
  type BlobRetryOptions,
  type RecordingsTarget,
} from './recordings-storage/index.js';
export { createEmulator, type Emulator, type EmulatorOptions, type Scenario } from './emulator/index.js';
export { createRealtimeModel, type ConnectionRecord, type RealtimeFaults, type RealtimeModel, type RealtimeModelOptions, type RealtimeScript, type ScriptStep } from './emulator/index.js';
export {
  createCallClient,
  createStreamingCall,
  answerIncomingCall,
  startStreaming,
  stopStreaming,
  hangUpCall,
  describeCall,
  CallControlError,
} from './calls/index.js';
// The error family (docs/errors.md): one base with `code` and `cause`, a guard, each area's codes.
export { AcsAudioError, isAcsAudioError, ErrorCode, type AcsAudioErrorOptions } from './errors/index.js';
export { AudioErrorCode, AudioError, isAudioError } from './audio/index.js';
export { CallControlErrorCode } from './calls/index.js';

// Voice agents: a realtime model on the call through the OpenAI Agents SDK (docs/voice-agents.md).
export * from './agent/index.js';
