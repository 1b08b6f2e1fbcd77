// The session object the stand-in keeps per connection (GA shape), and how session.update changes it: both the GA
// `audio.input/output` shape and the older flat one (`input_audio_format`, `turn_detection`, `voice`).
import { randomBytes } from 'node:crypto';
import type { ServerVad, SessionObject, ToolChoice } from './server-events.js';

/** pcm16 at 24 kHz: the only audio the stand-in hears and speaks. */
export const RATE = 24000;

export type Json = Record<string, unknown>;

/** A server-side id in the service's shape (`resp_…`, `item_…`, `event_…`). */
export const newId = (prefix: string): string => `${prefix}_${randomBytes(11).toString('base64url').slice(0, 22)}`;

/** The `turn_detection` the VAD reads; null when the client turned detection off. */
export type TurnDetection = ServerVad;

const DEFAULT_TURN_DETECTION: ServerVad = { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500, idle_timeout_ms: null, create_response: true, interrupt_response: true };

/** The session as `session.created` announces it. */
export function newSession(model: string): SessionObject {
  return {
    type: 'realtime', object: 'realtime.session', id: newId('sess'), model, output_modalities: ['audio'], instructions: '', tools: [], tool_choice: 'auto',
    max_output_tokens: 'inf', tracing: null, prompt: null, expires_at: Math.floor(Date.now() / 1000) + 1800,
    audio: {
      input: { format: { type: 'audio/pcm', rate: RATE }, turn_detection: { ...DEFAULT_TURN_DETECTION } },
      output: { format: { type: 'audio/pcm', rate: RATE }, voice: 'alloy', speed: 1 },
    },
  };
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isToolChoice = (v: unknown): v is ToolChoice =>
  v === 'none' || v === 'auto' || v === 'required' || (isObject(v) && v.type === 'function' && typeof v.name === 'string');

function mergeTurnDetection(current: ServerVad, td: Json): ServerVad {
  const num = (v: unknown, d: number | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : d);
  const bool = (v: unknown, d: boolean | undefined) => (typeof v === 'boolean' ? v : d);
  return {
    type: 'server_vad',
    threshold: num(td.threshold, current.threshold),
    prefix_padding_ms: num(td.prefix_padding_ms, current.prefix_padding_ms),
    silence_duration_ms: num(td.silence_duration_ms, current.silence_duration_ms),
    idle_timeout_ms: td.idle_timeout_ms === null ? null : (num(td.idle_timeout_ms, current.idle_timeout_ms ?? undefined) ?? null),
    create_response: bool(td.create_response, current.create_response),
    interrupt_response: bool(td.interrupt_response, current.interrupt_response),
  };
}

/** Applies a `session.update`'s `session` to the kept session; returns the error to send, if the update is refused. */
export function applySessionUpdate(session: SessionObject, s: Json): { message: string; param: string } | undefined {
  const audio = session.audio;
  if (typeof s.instructions === 'string') session.instructions = s.instructions;
  if (Array.isArray(s.tools)) {
    if (!s.tools.every((t) => isObject(t) && (t.type === undefined || t.type === 'function'))) return { message: 'The stand-in takes only function tools ({"type":"function","name":…}).', param: 'session.tools' };
    session.tools = s.tools as SessionObject['tools'];
  }
  if (s.tool_choice !== undefined) {
    if (!isToolChoice(s.tool_choice)) return { message: `Invalid tool_choice ${JSON.stringify(s.tool_choice)}: use none, auto, required or {"type":"function","name":…}.`, param: 'session.tool_choice' };
    session.tool_choice = s.tool_choice;
  }
  if (Array.isArray(s.output_modalities)) session.output_modalities = s.output_modalities.filter((m): m is 'text' | 'audio' => m === 'text' || m === 'audio');
  const inA = (s.audio as { input?: Json; output?: Json } | undefined)?.input ?? {};
  const outA = (s.audio as { input?: Json; output?: Json } | undefined)?.output ?? {};
  for (const [fmt, target] of [[inA.format ?? s.input_audio_format, audio.input], [outA.format ?? s.output_audio_format, audio.output]] as const) {
    if (fmt === undefined) continue;
    const ok = fmt === 'pcm16' || (typeof fmt === 'object' && fmt !== null && (fmt as Json).type === 'audio/pcm' && ((fmt as Json).rate ?? RATE) === RATE);
    if (!ok) return { message: `The stand-in speaks only pcm16 at 24 kHz ({"type":"audio/pcm","rate":24000} or "pcm16"), got ${JSON.stringify(fmt)}.`, param: 'session.audio.format' };
    target.format = { type: 'audio/pcm', rate: RATE };
  }
  const td = 'turn_detection' in inA ? inA.turn_detection : s.turn_detection;
  if (td === null) audio.input.turn_detection = null;
  else if (isObject(td)) {
    // Any detection the client asks for (semantic_vad too) runs as the energy VAD, and the session says so.
    audio.input.turn_detection = mergeTurnDetection(audio.input.turn_detection ?? DEFAULT_TURN_DETECTION, td);
  }
  const tr = 'transcription' in inA ? inA.transcription : s.input_audio_transcription;
  if (tr === null) delete audio.input.transcription;
  else if (isObject(tr)) audio.input.transcription = tr;
  const voice = outA.voice ?? s.voice;
  if (typeof voice === 'string') audio.output.voice = voice;
  return undefined;
}
