// A local ACS Call Automation emulator: REST API for the official SDK, callbacks, incoming calls, media engine.
export { createEmulator, EMULATOR_ISSUER, type Emulator, type EmulatorCallView, type EmulatorOptions } from './emulator.js';
export { computeSignature, contentHash } from './rest/hmac-auth.js';
export { createMediaEngine, listFixtures, loadFixture, type MediaEngineOptions } from './engine/index.js';
export type * from './media-engine-contract.js';
export { createRealtimeModel, type RealtimeFaults, type RealtimeModel, type RealtimeModelOptions, type ConnectionRecord, type RealtimeScript, type ScriptStep } from './realtime/index.js';
