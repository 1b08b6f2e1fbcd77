// A local stand-in for an OpenAI Realtime model (OpenAI, Azure OpenAI): scripted replies, energy VAD, barge-in.
export { createRealtimeModel, routeOf, type RealtimeModel, type RealtimeModelOptions } from './server.js';
export type { ConnectionRecord } from './connection-record.js';
export type { RealtimeScript, ScriptStep } from './script.js';
export type { RealtimeFaults } from './faults.js';
