// The session object the stand-in keeps per connection (GA shape), and how session.update changes it: both the GA
// `audio.input/output` shape and the older flat one (`input_audio_format`, `turn_detection`, `voice`).
import { randomBytes } from 'node:crypto';

/** pcm16 at 24 kHz: the only audio the stand-in hears and speaks. */
export const RATE = 24000;

export type Json = Record<string, unknown>;

/** A server-side id in the service's shape (`resp_…`, `item_…`, `event_…`). */
export const newId = (prefix: string): string => `${prefix}_${randomBytes(11).toString('base64url').slice(0, 22)}`;

/** The `turn_detection` fields the VAD reads; null when the client turned detection off. */
export interface TurnDetection {
  threshold?: number;
  silence_duration_ms?: number;
  prefix_padding_ms?: number;
  create_response?: boolean;
  interrupt_response?: boolean;
}

const DEFAULT_TURN_DETECTION = { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500, idle_timeout_ms: null, create_response: true, interrupt_response: true };

/** The session as `session.created` announces it. */
export function newSession(model: string): Json {
  return {
    type: 'realtime', object: 'realtime.session', id: newId('sess'), model, output_modalities: ['audio'], instructions: '', tools: [], tool_choice: 'auto',
    max_output_tokens: 'inf', tracing: null, prompt: null, expires_at: Math.floor(Date.now() / 1000) + 1800,
    audio: {
      input: { format: { type: 'audio/pcm', rate: RATE }, transcription: null, noise_reduction: null, turn_detection: { ...DEFAULT_TURN_DETECTION } },
      output: { format: { type: 'audio/pcm', rate: RATE }, voice: 'alloy', speed: 1 },
    },
  };
}

const audioOf = (session: Json) => session.audio as { input: Json; output: Json };

/** The session's turn detection, or null when off. */
export function turnDetectionOf(session: Json): TurnDetection | null {
  return audioOf(session).input.turn_detection as TurnDetection | null;
}

/** Whether input transcription is configured (then each user turn gets a transcript event). */
export function transcribes(session: Json): boolean {
  return Boolean(audioOf(session).input.transcription);
}

export function voiceOf(session: Json): unknown {
  return audioOf(session).output.voice;
}

/** Applies a `session.update`'s `session` to the kept session; returns the error to send, if the update is refused. */
export function applySessionUpdate(session: Json, s: Json): { message: string; param: string } | undefined {
  const audio = audioOf(session);
  if (typeof s.instructions === 'string') session.instructions = s.instructions;
  if (Array.isArray(s.tools)) session.tools = s.tools;
  if (s.tool_choice !== undefined) session.tool_choice = s.tool_choice;
  if (Array.isArray(s.output_modalities)) session.output_modalities = s.output_modalities;
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
  else if (td && typeof td === 'object') audio.input.turn_detection = { ...((audio.input.turn_detection as Json | null) ?? DEFAULT_TURN_DETECTION), ...(td as Json) };
  const tr = 'transcription' in inA ? inA.transcription : s.input_audio_transcription;
  if (tr !== undefined) audio.input.transcription = tr;
  const voice = outA.voice ?? s.voice;
  if (voice !== undefined) audio.output.voice = voice;
  return undefined;
}
