// The server events the stand-in sends, typed as the service's GA schema has them. Every event goes through
// `send(type, body)` with these bodies, and test/emulator/realtime/server-event-types.test.ts checks each against the
// openai package's `RealtimeServerEvent`, so a body that drifts from the real shape fails the type check.

/** pcm16 at 24 kHz: the only audio the stand-in hears and speaks. */
export interface PcmFormat {
  type: 'audio/pcm';
  rate: 24000;
}

export interface ServerVad {
  type: 'server_vad';
  threshold?: number;
  prefix_padding_ms?: number;
  silence_duration_ms?: number;
  idle_timeout_ms?: number | null;
  create_response?: boolean;
  interrupt_response?: boolean;
}

export interface FunctionTool {
  type?: 'function';
  name?: string;
  description?: string;
  parameters?: unknown;
}

export type ToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; name: string };

/** The session as `session.created` / `session.updated` carry it. Unset options are left out, not null. */
export interface SessionObject {
  type: 'realtime';
  object: 'realtime.session';
  id: string;
  model: string;
  output_modalities: Array<'text' | 'audio'>;
  instructions: string;
  tools: FunctionTool[];
  tool_choice: ToolChoice;
  max_output_tokens: number | 'inf';
  tracing: null;
  prompt: null;
  expires_at: number;
  audio: {
    input: { format: PcmFormat; transcription?: { model?: string; language?: string; prompt?: string }; turn_detection: ServerVad | null };
    output: { format: PcmFormat; voice: string; speed: number };
  };
}

export type ItemStatus = 'completed' | 'incomplete' | 'in_progress';
interface ItemBase {
  id: string;
  object: 'realtime.item';
  status: ItemStatus;
}
export interface SystemMessageItem extends ItemBase {
  type: 'message';
  role: 'system';
  content: Array<{ type?: 'input_text'; text?: string }>;
}
export interface UserMessageItem extends ItemBase {
  type: 'message';
  role: 'user';
  content: Array<{ type?: 'input_text' | 'input_image'; text?: string; image_url?: string } | InputAudioPart>;
}
/**
 * A user's audio. The service sends `transcript: null` until the audio is transcribed, and the Agents SDK requires the
 * field (`z.string().nullable()`); the openai package types it `transcript?: string`, so the type check reads this
 * null as absent — the one place the wire and those types disagree.
 */
export interface InputAudioPart {
  type: 'input_audio';
  transcript: string | null;
  audio?: string;
}
export interface AssistantMessageItem extends ItemBase {
  type: 'message';
  role: 'assistant';
  content: Array<{ type?: 'output_text' | 'output_audio'; text?: string; transcript?: string }>;
}
export interface FunctionCallItem extends ItemBase {
  type: 'function_call';
  name: string;
  call_id: string;
  arguments: string;
}
export interface FunctionCallOutputItem extends ItemBase {
  type: 'function_call_output';
  call_id: string;
  output: string;
}
/** A conversation item on the wire. */
export type WireItem = SystemMessageItem | UserMessageItem | AssistantMessageItem | FunctionCallItem | FunctionCallOutputItem;

export interface Usage {
  total_tokens: number;
  input_tokens: number;
  output_tokens: number;
  input_token_details: { text_tokens: number; audio_tokens: number; cached_tokens: number };
  output_token_details: { text_tokens: number; audio_tokens: number };
}

export type CancelReason = 'turn_detected' | 'client_cancelled';

/** A response object; `usage` once it is done, `status_details` when it was cancelled. */
export interface ResponseObject {
  object: 'realtime.response';
  id: string;
  conversation_id: string;
  output_modalities: Array<'audio'>;
  max_output_tokens: 'inf';
  metadata: null;
  audio: { output: { format: PcmFormat; voice: string } };
  status: 'in_progress' | 'completed' | 'cancelled';
  status_details?: { type: 'cancelled'; reason: CancelReason };
  output: WireItem[];
  usage?: Usage;
}

/** Where a content part is: its response, item, output and content index. */
export interface ContentRef {
  response_id: string;
  item_id: string;
  output_index: number;
  content_index: number;
}

interface FunctionCallRef {
  response_id: string;
  item_id: string;
  output_index: number;
  call_id: string;
}

type NoFields = Record<never, never>;
type ItemEvent = { previous_item_id: string | null; item: WireItem };
type OutputItemEvent = { response_id: string; output_index: number; item: WireItem };
type PartEvent = ContentRef & { part: { type: 'audio'; transcript: string } };

/** Each server event's fields besides `type` and `event_id`. */
export interface ServerEventBodies {
  'session.created': { session: SessionObject };
  'session.updated': { session: SessionObject };
  'input_audio_buffer.speech_started': { audio_start_ms: number; item_id: string };
  'input_audio_buffer.speech_stopped': { audio_end_ms: number; item_id: string };
  'input_audio_buffer.committed': { item_id: string; previous_item_id: string | null };
  'input_audio_buffer.cleared': NoFields;
  'conversation.item.added': ItemEvent;
  'conversation.item.done': ItemEvent;
  'conversation.item.retrieved': { item: WireItem };
  'conversation.item.truncated': { item_id: string; content_index: number; audio_end_ms: number };
  'conversation.item.input_audio_transcription.completed': { item_id: string; content_index: number; transcript: string; usage: { type: 'duration'; seconds: number } };
  'response.created': { response: ResponseObject };
  'response.done': { response: ResponseObject };
  'response.output_item.added': OutputItemEvent;
  'response.output_item.done': OutputItemEvent;
  'response.content_part.added': PartEvent;
  'response.content_part.done': PartEvent;
  'response.output_audio.delta': ContentRef & { delta: string };
  'response.output_audio.done': ContentRef;
  'response.output_audio_transcript.delta': ContentRef & { delta: string };
  'response.output_audio_transcript.done': ContentRef & { transcript: string };
  'response.function_call_arguments.delta': FunctionCallRef & { delta: string };
  'response.function_call_arguments.done': FunctionCallRef & { name: string; arguments: string };
  'rate_limits.updated': { rate_limits: Array<{ name: 'requests' | 'tokens'; limit: number; remaining: number; reset_seconds: number }> };
  error: { error: { type: string; code: string | null; message: string; param: string | null; event_id: string | null } };
}

export type ServerEventType = keyof ServerEventBodies;

/** A server event as sent (GA names). */
export type ServerEvent = { [K in ServerEventType]: { type: K; event_id: string } & ServerEventBodies[K] }[ServerEventType];

/** Sends one server event; the connection adds `event_id` (and renames it for beta clients). */
export type SendEvent = <K extends ServerEventType>(type: K, body: ServerEventBodies[K]) => void;
