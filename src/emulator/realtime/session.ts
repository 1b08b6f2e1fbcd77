// One model connection: session state, energy VAD on the input buffer's clock, the scripted responder, barge-in,
// truncation and tool calls, and the record the admin API shows.
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { RealtimeFaults } from './faults.js';
import { DEFAULT_SCRIPT, loadClips, stepAt, type Clip, type RealtimeScript, type ScriptStep } from './script.js';

export type { RealtimeScript, ScriptStep } from './script.js';

/** Everything a connection received and did, for tests. */
export interface ConnectionRecord {
  id: string;
  model: string;
  path: string;
  openedAt: string;
  closedAt?: string;
  eventsIn: string[];
  audioMsAppended: number;
  turns: Array<{ itemId: string; audioStartMs: number; audioEndMs?: number }>;
  responses: Array<{ id: string; status: string; itemId?: string; audioMs: number; text?: string }>;
  truncations: Array<{ itemId: string; contentIndex: number; audioEndMs: number }>;
  toolCalls: Array<{ callId: string; name: string; arguments: string; output?: string }>;
  errors: Array<{ code: string; message: string; eventId?: string }>;
}

const BETA: Record<string, string> = {
  'response.output_audio.delta': 'response.audio.delta',
  'response.output_audio.done': 'response.audio.done',
  'response.output_audio_transcript.delta': 'response.audio_transcript.delta',
  'response.output_audio_transcript.done': 'response.audio_transcript.done',
  'conversation.item.added': 'conversation.item.created',
};
const RATE = 24000;
const CHUNK_BYTES = 4800; // 100 ms of pcm16 24 kHz per delta
const WINDOW = 240; // VAD window: 10 ms

const id = (prefix: string) => `${prefix}_${randomBytes(11).toString('base64url').slice(0, 22)}`;
type Json = Record<string, unknown>;
interface Item { id: string; type: string; audioMs: number; truncatedMs?: number; transcript?: string; raw: Json }
interface Active { id: string; timer?: NodeJS.Timeout; item: Json; itemId: string; sentBytes: number; output: Json[] }

let clipCache: Map<string, Clip> | undefined;

export class RealtimeConnection {
  readonly record: ConnectionRecord;
  private readonly session: Json;
  private readonly items = new Map<string, Item>();
  private lastItemId: string | null = null;
  private readonly script: RealtimeScript;
  private readonly clips: Map<string, Clip>;
  private step = 0;
  private active: Active | undefined;
  private awaitingTool: string | undefined;
  // VAD state on the input buffer's clock (ms of audio appended since the connection opened).
  private bufferMs = 0;
  private buffered = 0;
  private speechAt: number | undefined;
  private silenceMs = 0;
  private turnItem: string | undefined;

  constructor(private readonly ws: WebSocket, opts: { id: string; model: string; path: string; script?: RealtimeScript; eventNames: 'ga' | 'beta'; faults?: RealtimeFaults }) {
    this.faults = opts.faults ?? {};
    this.beta = opts.eventNames === 'beta';
    this.script = opts.script ?? DEFAULT_SCRIPT;
    this.clips = clipCache ??= loadClips();
    this.record = { id: opts.id, model: opts.model, path: opts.path, openedAt: new Date().toISOString(), eventsIn: [], audioMsAppended: 0, turns: [], responses: [], truncations: [], toolCalls: [], errors: [] };
    this.session = {
      type: 'realtime', object: 'realtime.session', id: id('sess'), model: opts.model, output_modalities: ['audio'], instructions: '', tools: [], tool_choice: 'auto',
      max_output_tokens: 'inf', tracing: null, prompt: null, expires_at: Math.floor(Date.now() / 1000) + 1800,
      audio: {
        input: { format: { type: 'audio/pcm', rate: RATE }, transcription: null, noise_reduction: null,
          turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500, idle_timeout_ms: null, create_response: true, interrupt_response: true } },
        output: { format: { type: 'audio/pcm', rate: RATE }, voice: 'alloy', speed: 1 },
      },
    };
    ws.on('message', (data) => this.onMessage(data.toString()));
    ws.on('close', () => {
      this.stopTimer();
      this.record.closedAt = new Date().toISOString();
    });
    this.send('session.created', { session: this.session });
  }

  private readonly beta: boolean;
  private readonly faults: RealtimeFaults;

  close(): void {
    this.stopTimer();
    this.ws.terminate();
  }

  private send(type: string, body: Json): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.beta && type === 'conversation.item.done') return;
    this.ws.send(JSON.stringify({ type: this.beta ? (BETA[type] ?? type) : type, event_id: id('event'), ...body }));
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
      case 'input_audio_buffer.commit':
        if (this.buffered === 0 && this.turnItem === undefined) return this.error('input_audio_buffer_commit_empty', 'Error committing input audio buffer: buffer too small. Expected at least 100ms of audio.', eventId);
        if (this.turnItem === undefined) this.startTurn(Math.max(0, this.bufferMs - this.buffered));
        return this.endTurn(false);
      case 'input_audio_buffer.clear':
        this.buffered = 0;
        this.speechAt = undefined;
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
        return this.cancel('client_cancelled');
      case 'output_audio_buffer.clear': return;
      default:
        return this.error('invalid_value', `Invalid value: '${event.type as string}'. Supported values are: 'session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit', 'input_audio_buffer.clear', 'conversation.item.create', 'conversation.item.retrieve', 'conversation.item.truncate', 'response.create', 'response.cancel'.`, eventId, 'type');
    }
  }

  private sessionUpdate(event: Json, eventId?: string): void {
    const s = event.session as Json | undefined;
    if (!s || typeof s !== 'object') return this.error('missing_required_parameter', "Missing required parameter: 'session'.", eventId, 'session');
    const audio = this.session.audio as { input: Json; output: Json };
    if (typeof s.instructions === 'string') this.session.instructions = s.instructions;
    if (Array.isArray(s.tools)) this.session.tools = s.tools;
    if (s.tool_choice !== undefined) this.session.tool_choice = s.tool_choice;
    if (Array.isArray(s.output_modalities)) this.session.output_modalities = s.output_modalities;
    const inA = (s.audio as { input?: Json; output?: Json } | undefined)?.input ?? {};
    const outA = (s.audio as { input?: Json; output?: Json } | undefined)?.output ?? {};
    for (const [fmt, target] of [[inA.format ?? s.input_audio_format, audio.input], [outA.format ?? s.output_audio_format, audio.output]] as const) {
      if (fmt === undefined) continue;
      const ok = fmt === 'pcm16' || (typeof fmt === 'object' && fmt !== null && (fmt as Json).type === 'audio/pcm' && ((fmt as Json).rate ?? RATE) === RATE);
      if (!ok) return this.error('invalid_value', `The stand-in speaks only pcm16 at 24 kHz ({"type":"audio/pcm","rate":24000} or "pcm16"), got ${JSON.stringify(fmt)}.`, eventId, 'session.audio.format');
      target.format = { type: 'audio/pcm', rate: RATE };
    }
    const td = 'turn_detection' in inA ? inA.turn_detection : s.turn_detection;
    if (td === null) audio.input.turn_detection = null;
    else if (td && typeof td === 'object') audio.input.turn_detection = { ...(audio.input.turn_detection as Json ?? { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500, create_response: true, interrupt_response: true }), ...(td as Json) };
    const tr = 'transcription' in inA ? inA.transcription : s.input_audio_transcription;
    if (tr !== undefined) audio.input.transcription = tr;
    const voice = outA.voice ?? s.voice;
    if (voice !== undefined) audio.output.voice = voice;
    this.send('session.updated', { session: this.session });
  }

  private vad(): Json | null {
    return (this.session.audio as { input: Json }).input.turn_detection as Json | null;
  }

  private append(event: Json, eventId?: string): void {
    if (typeof event.audio !== 'string') return this.error('missing_required_parameter', "Missing required parameter: 'audio'.", eventId, 'audio');
    const pcm = Buffer.from(event.audio, 'base64');
    const samples = pcm.length >> 1;
    const ms = (samples * 1000) / RATE;
    this.record.audioMsAppended += ms;
    const vad = this.vad();
    if (!vad) {
      this.bufferMs += ms;
      this.buffered += ms;
      return;
    }
    const threshold = Number(vad.threshold ?? 0.5);
    const silenceNeeded = Number(vad.silence_duration_ms ?? 500);
    const prefix = Number(vad.prefix_padding_ms ?? 300);
    // Energy VAD: threshold 0.5 ≈ RMS above -40 dBFS; 0 hears everything, 1 only shouting.
    const limit = 32768 * 0.02 * threshold;
    for (let off = 0; off < samples; off += WINDOW) {
      const n = Math.min(WINDOW, samples - off);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const v = pcm.readInt16LE((off + i) * 2);
        sum += v * v;
      }
      const loud = Math.sqrt(sum / n) > limit;
      const wms = (n * 1000) / RATE;
      this.bufferMs += wms;
      this.buffered += wms;
      if (this.speechAt === undefined) {
        if (loud) {
          this.speechAt = this.bufferMs - wms;
          this.silenceMs = 0;
          this.startTurn(Math.max(0, Math.round(this.speechAt - prefix)));
        }
      } else if (loud) this.silenceMs = 0;
      else if ((this.silenceMs += wms) >= silenceNeeded) {
        this.speechAt = undefined;
        this.endTurn(vad.create_response !== false);
      }
    }
  }

  private startTurn(startMs: number): void {
    this.turnItem = id('item');
    this.record.turns.push({ itemId: this.turnItem, audioStartMs: startMs });
    this.send('input_audio_buffer.speech_started', { audio_start_ms: startMs, item_id: this.turnItem });
    const vad = this.vad();
    if (this.active && vad?.interrupt_response !== false) this.cancel('turn_detected');
  }

  private endTurn(respond: boolean): void {
    const itemId = this.turnItem!;
    const endMs = Math.round(this.bufferMs);
    const turn = this.record.turns.find((t) => t.itemId === itemId);
    if (turn) turn.audioEndMs = endMs;
    if (this.vad()) this.send('input_audio_buffer.speech_stopped', { audio_end_ms: endMs, item_id: itemId });
    this.send('input_audio_buffer.committed', { item_id: itemId, previous_item_id: this.lastItemId });
    this.turnItem = undefined;
    this.buffered = 0;
    const item = { id: itemId, type: 'message', object: 'realtime.item', role: 'user', status: 'completed', content: [{ type: 'input_audio', transcript: null }] };
    this.addItem(item, endMs - (turn?.audioStartMs ?? endMs));
    const transcription = (this.session.audio as { input: Json }).input.transcription;
    if (transcription) {
      // The stand-in hears energy, not words: the transcript says so rather than invent what was said.
      this.send('conversation.item.input_audio_transcription.completed', { item_id: itemId, content_index: 0, transcript: `[speech ${(endMs - (turn?.audioStartMs ?? 0)) | 0} ms]`, usage: { type: 'duration', seconds: Math.max(0, (endMs - (turn?.audioStartMs ?? 0)) / 1000) } });
    }
    if (respond && !this.active) this.respond();
  }

  private addItem(item: Json, audioMs: number): void {
    this.items.set(item.id as string, { id: item.id as string, type: item.type as string, audioMs, raw: item });
    this.send('conversation.item.added', { previous_item_id: this.lastItemId, item });
    this.send('conversation.item.done', { previous_item_id: this.lastItemId, item });
    this.lastItemId = item.id as string;
  }

  private itemCreate(event: Json, eventId?: string): void {
    const item = event.item as Json | undefined;
    if (!item || typeof item !== 'object' || typeof item.type !== 'string') return this.error('missing_required_parameter', "Missing required parameter: 'item.type'.", eventId, 'item');
    if (item.type === 'function_call_output') {
      const call = this.record.toolCalls.find((c) => c.callId === item.call_id);
      if (!call) return this.error('invalid_value', `No function call with call_id ${JSON.stringify(item.call_id)} in this conversation.`, eventId, 'item.call_id');
      call.output = typeof item.output === 'string' ? item.output : JSON.stringify(item.output);
      if (this.awaitingTool === call.callId) this.awaitingTool = undefined;
    } else if (item.type !== 'message' && item.type !== 'function_call') {
      return this.error('invalid_value', `Invalid item type ${JSON.stringify(item.type)}: use message or function_call_output.`, eventId, 'item.type');
    }
    this.addItem({ ...item, id: typeof item.id === 'string' ? item.id : id('item'), object: 'realtime.item', status: 'completed' }, 0);
  }

  /** The Agents SDK asks for an item (to refresh its history after a truncate): the item as the service keeps it. */
  private retrieve(event: Json, eventId?: string): void {
    const item = this.items.get(event.item_id as string);
    if (!item) return this.error('item_retrieve_invalid_item_id', `Item with item_id not found: ${String(event.item_id)}`, eventId, 'item_id');
    this.send('conversation.item.retrieved', { item: item.raw });
  }

  private truncate(event: Json, eventId?: string): void {
    const item = this.items.get(event.item_id as string);
    if (!item) return this.error('item_truncate_invalid_item_id', `Item with item_id not found: ${String(event.item_id)}`, eventId, 'item_id');
    const end = Number(event.audio_end_ms);
    if (!Number.isFinite(end) || end < 0) return this.error('invalid_value', 'audio_end_ms must be a non-negative number.', eventId, 'audio_end_ms');
    if (end > item.audioMs) return this.error('invalid_value', `Audio content of ${Math.round(item.audioMs)}ms is already shorter than ${end}ms`, eventId, 'audio_end_ms');
    item.truncatedMs = end;
    const contentIndex = Number(event.content_index ?? 0);
    this.record.truncations.push({ itemId: item.id, contentIndex, audioEndMs: end });
    this.send('conversation.item.truncated', { item_id: item.id, content_index: contentIndex, audio_end_ms: end });
  }

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
    const step: ScriptStep | undefined = stepAt(this.script, this.step++);
    const responseId = id('resp');
    const base = { object: 'realtime.response', id: responseId, conversation_id: id('conv'), output_modalities: ['audio'], max_output_tokens: 'inf', metadata: null, audio: { output: { format: { type: 'audio/pcm', rate: RATE }, voice: (this.session.audio as { output: Json }).output.voice } } };
    this.send('response.created', { response: { ...base, status: 'in_progress', status_details: null, output: [], usage: null } });
    const itemId = id('item');
    const active: Active = { id: responseId, itemId, item: {}, sentBytes: 0, output: [] };
    this.active = active;
    const finish = (status: 'completed' | 'cancelled', reason?: string) => {
      this.stopTimer();
      this.active = undefined;
      const rec = this.record.responses.find((r) => r.id === responseId);
      if (rec) rec.status = status;
      const outTokens = Math.round(active.sentBytes / 2 / RATE * 10) + 1;
      this.send('response.done', { response: { ...base, status, status_details: status === 'completed' ? null : { type: 'cancelled', reason }, output: active.output,
        usage: { total_tokens: 20 + outTokens, input_tokens: 20, output_tokens: outTokens, input_token_details: { text_tokens: 10, audio_tokens: 10, cached_tokens: 0 }, output_token_details: { text_tokens: 1, audio_tokens: outTokens - 1 } } } });
    };
    this.finish = finish;
    if (step && 'tool' in step) {
      const callId = `call_${randomBytes(8).toString('base64url')}`;
      const args = typeof step.tool.arguments === 'string' ? step.tool.arguments : JSON.stringify(step.tool.arguments);
      const item = { id: itemId, type: 'function_call', object: 'realtime.item', status: 'in_progress', name: step.tool.name, call_id: callId, arguments: '' };
      this.record.responses.push({ id: responseId, status: 'in_progress', itemId, audioMs: 0 });
      this.record.toolCalls.push({ callId, name: step.tool.name, arguments: args });
      this.send('response.output_item.added', { response_id: responseId, output_index: 0, item });
      this.send('conversation.item.added', { previous_item_id: this.lastItemId, item });
      const at = Math.ceil(args.length / 2);
      for (const delta of [args.slice(0, at), args.slice(at)]) if (delta) this.send('response.function_call_arguments.delta', { response_id: responseId, item_id: itemId, output_index: 0, call_id: callId, delta });
      this.send('response.function_call_arguments.done', { response_id: responseId, item_id: itemId, output_index: 0, call_id: callId, name: step.tool.name, arguments: args });
      const done = { ...item, status: 'completed', arguments: args };
      this.send('response.output_item.done', { response_id: responseId, output_index: 0, item: done });
      this.send('conversation.item.done', { previous_item_id: this.lastItemId, item: done });
      this.items.set(itemId, { id: itemId, type: 'function_call', audioMs: 0, raw: done });
      this.lastItemId = itemId;
      active.output.push(done);
      this.awaitingTool = callId;
      return finish('completed');
    }
    const clip = this.clipFor(step);
    const text = step && 'say' in step && step.say ? step.say : clip.text;
    const audioMs = (clip.pcm.length / 2 / RATE) * 1000;
    this.record.responses.push({ id: responseId, status: 'in_progress', itemId, audioMs, text });
    const item = { id: itemId, type: 'message', object: 'realtime.item', role: 'assistant', status: 'in_progress', content: [] as Json[] };
    this.send('response.output_item.added', { response_id: responseId, output_index: 0, item });
    this.send('conversation.item.added', { previous_item_id: this.lastItemId, item });
    this.items.set(itemId, { id: itemId, type: 'message', audioMs, transcript: text, raw: item });
    this.lastItemId = itemId;
    const ref = { response_id: responseId, item_id: itemId, output_index: 0, content_index: 0 };
    this.send('response.content_part.added', { ...ref, part: { type: 'audio', transcript: '' } });
    const words = text.split(/(?<= )/);
    const chunks = Math.ceil(clip.pcm.length / CHUNK_BYTES);
    let sentWords = 0;
    let sentText = '';
    const end = (status: 'completed' | 'cancelled', reason?: string) => {
      const partial = status === 'completed' ? text : sentText;
      this.send('response.output_audio.done', ref);
      this.send('response.output_audio_transcript.done', { ...ref, transcript: partial });
      this.send('response.content_part.done', { ...ref, part: { type: 'audio', transcript: partial } });
      const done = { ...item, status: status === 'completed' ? 'completed' : 'incomplete', content: [{ type: 'output_audio', transcript: partial }] };
      this.items.get(itemId)!.raw = done;
      this.send('response.output_item.done', { response_id: responseId, output_index: 0, item: done });
      this.send('conversation.item.done', { previous_item_id: null, item: done });
      active.output.push(done);
      finish(status, reason);
    };
    this.finish = end;
    const tick = () => {
      // Ten chunks (1 s of audio) per 10 ms: far faster than real time, as the service sends.
      for (let k = 0; k < 10 && active.sentBytes < clip.pcm.length; k++) {
        const closeAfter = this.faults.closeMidResponseAfterDeltas;
        if (closeAfter !== undefined && active.sentBytes / CHUNK_BYTES >= closeAfter) {
          delete this.faults.closeMidResponseAfterDeltas;
          this.stopTimer();
          this.active = undefined;
          return this.ws.close(1011, 'fault: closed mid-response');
        }
        const chunk = clip.pcm.subarray(active.sentBytes, active.sentBytes + CHUNK_BYTES);
        active.sentBytes += chunk.length;
        this.send('response.output_audio.delta', { ...ref, delta: chunk.toString('base64') });
        const wantWords = Math.ceil((active.sentBytes / CHUNK_BYTES / chunks) * words.length);
        while (sentWords < wantWords) {
          sentText += words[sentWords];
          this.send('response.output_audio_transcript.delta', { ...ref, delta: words[sentWords++] });
        }
      }
      if (active.sentBytes >= clip.pcm.length) end('completed');
      else active.timer = setTimeout(tick, 10);
    };
    active.timer = setTimeout(tick, this.faults.firstDeltaDelayMs ?? 0);
  }

  private finish: ((status: 'completed' | 'cancelled', reason?: string) => void) | undefined;

  private clipFor(step: ScriptStep | undefined): Clip {
    const name = step && 'clip' in step && step.clip ? step.clip : 'reply-4';
    const clip = this.clips.get(name);
    if (!clip) throw new Error(`realtime script: no clip ${JSON.stringify(name)}; bundled clips: ${[...this.clips.keys()].join(', ')}`);
    return clip;
  }

  private cancel(reason: string): void {
    if (!this.active) return;
    this.stopTimer();
    this.finish?.('cancelled', reason);
  }

  private stopTimer(): void {
    if (this.active?.timer) clearTimeout(this.active.timer);
    if (this.active) this.active.timer = undefined;
  }
}
