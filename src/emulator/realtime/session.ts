// One model connection: reads client events, keeps the session and the conversation, turns the VAD's speech into user
// turns, starts scripted responses and cancels them on barge-in, and fills the record the admin API shows.
import type { WebSocket } from 'ws';
import { newRecord, type ConnectionRecord } from './connection-record.js';
import { Conversation, itemFromClient } from './conversation.js';
import type { RealtimeFaults } from './faults.js';
import { InputBuffer } from './input-buffer.js';
import { heardText, recognize, type KnownSpeech } from './known-speech.js';
import { startResponse, type ActiveResponse, type ResponseHost } from './response-stream.js';
import { DEFAULT_SCRIPT, stepAt, type Clip, type RealtimeScript } from './script.js';
import type { ServerEventBodies, ServerEventType, SessionObject, UserMessageItem } from './server-events.js';
import { applySessionUpdate, newId, newSession, RATE, type Json } from './session-config.js';

/** Preview (beta) names of GA server events, for `eventNames: 'beta'`. */
const BETA: Record<string, string> = {
  'response.output_audio.delta': 'response.audio.delta',
  'response.output_audio.done': 'response.audio.done',
  'response.output_audio_transcript.delta': 'response.audio_transcript.delta',
  'response.output_audio_transcript.done': 'response.audio_transcript.done',
  'conversation.item.added': 'conversation.item.created',
};

const SUPPORTED = ['session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit', 'input_audio_buffer.clear', 'conversation.item.create',
  'conversation.item.retrieve', 'conversation.item.truncate', 'response.create', 'response.cancel'];

/** What a connection is opened with. */
export interface ConnectionOptions {
  id: string;
  model: string;
  path: string;
  script?: RealtimeScript;
  eventNames: 'ga' | 'beta';
  /** Shared with the model: setFaults() changes them for open connections too. */
  faults: RealtimeFaults;
  clips: ReadonlyMap<string, Clip>;
  /** Clips whose text input transcription can give (the bundled speech fixtures and reply clips). */
  known: readonly KnownSpeech[];
}

export class RealtimeConnection implements ResponseHost {
  readonly record: ConnectionRecord;
  readonly faults: RealtimeFaults;
  readonly clips: ReadonlyMap<string, Clip>;
  readonly conversation: Conversation;
  private readonly session: SessionObject;
  private readonly script: RealtimeScript;
  private readonly beta: boolean;
  private readonly known: readonly KnownSpeech[];
  private readonly input = new InputBuffer();
  private step = 0;
  private active: ActiveResponse | undefined;
  /** The user item of the turn in progress (between speech_started and the commit). */
  private turnItem: string | undefined;

  constructor(private readonly ws: WebSocket, opts: ConnectionOptions) {
    this.faults = opts.faults;
    this.clips = opts.clips;
    this.known = opts.known;
    this.beta = opts.eventNames === 'beta';
    this.script = opts.script ?? DEFAULT_SCRIPT;
    this.record = newRecord(opts.id, opts.model, opts.path);
    this.session = newSession(opts.model);
    this.conversation = new Conversation((type, body) => this.send(type, body));
    ws.on('message', (data) => this.onMessage(data.toString()));
    ws.on('close', () => {
      this.active?.stop();
      this.record.closedAt = new Date().toISOString();
    });
    this.send('session.created', { session: this.session });
  }

  get voice(): string {
    return this.session.audio.output.voice;
  }

  close(): void {
    this.active?.stop();
    this.ws.terminate();
  }

  /** The drop fault: closed with `code`, or cut with no close frame. */
  drop(code?: number): void {
    this.active?.stop();
    if (code === undefined) this.ws.terminate();
    else this.ws.close(code, 'fault: dropped');
  }

  closeSocket(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  send<K extends ServerEventType>(type: K, body: ServerEventBodies[K]): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.beta && type === 'conversation.item.done') return;
    this.ws.send(JSON.stringify({ type: this.beta ? (BETA[type] ?? type) : type, event_id: newId('event'), ...body }));
  }

  private error(code: string, message: string, eventId?: string, param?: string): void {
    this.record.errors.push({ code, message, eventId });
    this.send('error', { error: { type: 'invalid_request_error', code, message, param: param ?? null, event_id: eventId ?? null } });
  }

  private onMessage(text: string): void {
    let event: Json;
    try {
      event = JSON.parse(text) as Json;
      if (typeof event !== 'object' || event === null || typeof event.type !== 'string') throw new Error('not an object with a string type');
    } catch (e) {
      return this.error('invalid_json', `The client event is not valid JSON: ${(e as Error).message}`);
    }
    const eventId = typeof event.event_id === 'string' ? event.event_id : undefined;
    this.record.eventsIn.push(event.type as string);
    switch (event.type) {
      case 'session.update': return this.sessionUpdate(event, eventId);
      case 'input_audio_buffer.append': return this.append(event, eventId);
      case 'input_audio_buffer.commit': return this.commit(eventId);
      case 'input_audio_buffer.clear':
        this.input.clear();
        this.turnItem = undefined;
        return this.send('input_audio_buffer.cleared', {});
      case 'conversation.item.create': return this.itemCreate(event, eventId);
      case 'conversation.item.truncate': return this.truncate(event, eventId);
      case 'conversation.item.retrieve': return this.retrieve(event, eventId);
      case 'response.create':
        if (this.active) return this.error('conversation_already_has_active_response', `Conversation already has an active response in progress: ${this.active.id}. Wait until the response is finished before creating a new one.`, eventId);
        return this.respond();
      case 'response.cancel':
        if (!this.active) return this.error('response_cancel_not_active', 'Cancellation failed: no active response found', eventId);
        return this.active.cancel('client_cancelled');
      case 'output_audio_buffer.clear': return;
      default:
        return this.error('invalid_value', `Invalid value: '${event.type as string}'. Supported values are: ${SUPPORTED.map((s) => `'${s}'`).join(', ')}.`, eventId, 'type');
    }
  }

  private sessionUpdate(event: Json, eventId?: string): void {
    const s = event.session as Json | undefined;
    if (!s || typeof s !== 'object') return this.error('missing_required_parameter', "Missing required parameter: 'session'.", eventId, 'session');
    const refused = applySessionUpdate(this.session, s);
    if (refused) return this.error('invalid_value', refused.message, eventId, refused.param);
    this.send('session.updated', { session: this.session });
  }

  private append(event: Json, eventId?: string): void {
    if (typeof event.audio !== 'string') return this.error('missing_required_parameter', "Missing required parameter: 'audio'.", eventId, 'audio');
    const pcm = Buffer.from(event.audio, 'base64');
    this.record.audioMsAppended += ((pcm.length >> 1) * 1000) / RATE;
    const vad = this.session.audio.input.turn_detection;
    this.input.append(pcm, vad, {
      speechStarted: (startMs) => this.startTurn(startMs),
      speechStopped: (endMs) => this.endTurn(endMs, vad?.create_response !== false),
    });
  }

  private commit(eventId?: string): void {
    if (this.input.pendingMs === 0 && this.turnItem === undefined) return this.error('input_audio_buffer_commit_empty', 'Error committing input audio buffer: buffer too small. Expected at least 100ms of audio.', eventId);
    if (this.turnItem === undefined) this.startTurn(Math.max(0, this.input.clockMs - this.input.pendingMs));
    this.endTurn(Math.round(this.input.clockMs), false);
  }

  private startTurn(startMs: number): void {
    this.turnItem = newId('item');
    this.record.turns.push({ itemId: this.turnItem, audioStartMs: startMs });
    this.send('input_audio_buffer.speech_started', { audio_start_ms: startMs, item_id: this.turnItem });
    if (this.active && this.session.audio.input.turn_detection?.interrupt_response !== false) this.active.cancel('turn_detected');
  }

  private endTurn(endMs: number, respond: boolean): void {
    const itemId = this.turnItem!;
    const turn = this.record.turns.find((t) => t.itemId === itemId);
    if (turn) turn.audioEndMs = endMs;
    if (this.session.audio.input.turn_detection) this.send('input_audio_buffer.speech_stopped', { audio_end_ms: endMs, item_id: itemId });
    this.send('input_audio_buffer.committed', { item_id: itemId, previous_item_id: this.conversation.lastItemId });
    this.turnItem = undefined;
    const envelope = this.input.committed();
    const item: UserMessageItem = { id: itemId, type: 'message', object: 'realtime.item', role: 'user', status: 'completed', content: [{ type: 'input_audio', transcript: null }] };
    const spokenMs = endMs - (turn?.audioStartMs ?? endMs);
    this.conversation.add(item, spokenMs);
    if (this.session.audio.input.transcription) {
      // A known clip (a fixture the ACS emulator's callers speak) gets its text; anything else gets its length, as the
      // stand-in hears energy, not words, and says so rather than invent what was said.
      const transcript = recognize(envelope, this.known)?.text ?? `[speech ${spokenMs | 0} ms]`;
      if (turn) turn.transcript = transcript;
      const kept = this.conversation.get(itemId);
      if (kept) kept.raw = { ...item, content: [{ type: 'input_audio', transcript }] };
      this.send('conversation.item.input_audio_transcription.completed', { item_id: itemId, content_index: 0, transcript, usage: { type: 'duration', seconds: Math.max(0, spokenMs / 1000) } });
    }
    if (respond && !this.active) this.respond();
  }

  private itemCreate(event: Json, eventId?: string): void {
    const item = event.item as Json | undefined;
    if (!item || typeof item !== 'object' || typeof item.type !== 'string') return this.error('missing_required_parameter', "Missing required parameter: 'item.type'.", eventId, 'item');
    const made = itemFromClient(item, typeof item.id === 'string' ? item.id : newId('item'));
    if ('message' in made) return this.error('invalid_value', made.message, eventId, made.param);
    if (made.item.type === 'function_call_output') {
      const { call_id: callId, output } = made.item;
      const call = this.record.toolCalls.find((c) => c.callId === callId);
      if (!call) return this.error('invalid_value', `No function call with call_id ${JSON.stringify(callId)} in this conversation.`, eventId, 'item.call_id');
      call.output = output;
    }
    this.conversation.add(made.item, 0);
  }

  /** The Agents SDK asks for an item (to refresh its history after a truncate): the item as the service keeps it. */
  private retrieve(event: Json, eventId?: string): void {
    const item = this.conversation.get(event.item_id as string);
    if (!item) return this.error('item_retrieve_invalid_item_id', `Item with item_id not found: ${String(event.item_id)}`, eventId, 'item_id');
    this.send('conversation.item.retrieved', { item: item.raw });
  }

  private truncate(event: Json, eventId?: string): void {
    const item = this.conversation.get(event.item_id as string);
    if (!item) return this.error('item_truncate_invalid_item_id', `Item with item_id not found: ${String(event.item_id)}`, eventId, 'item_id');
    const end = Number(event.audio_end_ms);
    if (!Number.isFinite(end) || end < 0) return this.error('invalid_value', 'audio_end_ms must be a non-negative number.', eventId, 'audio_end_ms');
    if (end > item.audioMs) return this.error('invalid_value', `Audio content of ${Math.round(item.audioMs)}ms is already shorter than ${end}ms`, eventId, 'audio_end_ms');
    item.truncatedMs = end;
    const contentIndex = Number(event.content_index ?? 0);
    // What the conversation now holds is what the caller heard. The service drops the transcript of a truncated item
    // (its docs: "remove the server-side text transcript"), so the item as retrieved has none; the record keeps the
    // words heard, for tests.
    const heard = item.words ? heardText(item.words, end) : undefined;
    if (heard !== undefined) {
      item.transcript = heard;
      const raw = item.raw;
      if (raw.type === 'message' && raw.role === 'assistant') item.raw = { ...raw, content: raw.content.map((c) => (c.type === 'output_audio' ? { ...c, transcript: '' } : c)) };
    }
    this.record.truncations.push({ itemId: item.id, contentIndex, audioEndMs: end, ...(heard !== undefined ? { heardText: heard } : {}) });
    this.send('conversation.item.truncated', { item_id: item.id, content_index: contentIndex, audio_end_ms: end });
  }

  /** A response for the next script step, unless a fault answers instead. */
  private respond(): void {
    if (this.faults.error) {
      const { type = 'server_error', code, message } = this.faults.error;
      delete this.faults.error;
      this.record.errors.push({ code, message });
      return this.send('error', { error: { type, code, message, param: null, event_id: null } });
    }
    if (this.faults.rateLimit) {
      delete this.faults.rateLimit;
      this.send('rate_limits.updated', { rate_limits: [{ name: 'requests', limit: 100, remaining: 0, reset_seconds: 60 }, { name: 'tokens', limit: 20000, remaining: 0, reset_seconds: 60 }] });
      this.record.errors.push({ code: 'rate_limit_exceeded', message: 'rate limited (fault)' });
      return this.send('error', { error: { type: 'rate_limit_error', code: 'rate_limit_exceeded', message: 'Rate limit reached for requests. Please retry after 60s.', param: null, event_id: null } });
    }
    const response = startResponse(this, stepAt(this.script, this.step++), (ended) => {
      if (this.active === ended) this.active = undefined;
    });
    if (!response.over) this.active = response;
  }
}
