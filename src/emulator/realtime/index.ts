// A local stand-in for an OpenAI Realtime model (OpenAI, Azure OpenAI): scripted replies, energy VAD, barge-in.
export { createRealtimeModel, routeOf, type RealtimeModel, type RealtimeModelOptions } from './server.js';
export type { ConnectionRecord, RealtimeScript, ScriptStep } from './session.js';
export type { RealtimeFaults } from './faults.js';
