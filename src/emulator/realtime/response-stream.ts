// One response, streamed in the service's order: a scripted clip as audio deltas with its transcript (far faster than
// real time), or a tool call as a function_call item; cancellable at any delta, and subject to the stream faults.
import { randomBytes } from 'node:crypto';
import type { ConnectionRecord } from './connection-record.js';
import type { Conversation, Item } from './conversation.js';
import { timeWords, voicedSpan } from './known-speech.js';
import type { RealtimeFaults } from './faults.js';
import type { Clip, ScriptStep } from './script.js';
import type { AssistantMessageItem, CancelReason, FunctionCallItem, ResponseObject, SendEvent, WireItem } from './server-events.js';
import { newId, RATE } from './session-config.js';

const CHUNK_BYTES = 4800; // 100 ms of pcm16 24 kHz per delta

/** What a response needs from its connection. */
export interface ResponseHost {
  send: SendEvent;
  readonly record: ConnectionRecord;
  readonly faults: RealtimeFaults;
  readonly conversation: Conversation;
  readonly clips: ReadonlyMap<string, Clip>;
  readonly voice: string;
  /** The fault "close mid-response": the socket goes, with no more events. */
  closeSocket(code: number, reason: string): void;
}

/** A response in progress. */
export interface ActiveResponse {
  readonly id: string;
  /** True once the response has ended (a tool call ends before startResponse returns). */
  readonly over: boolean;
  /** Stops the deltas and ends the response `cancelled` (its events still sent). */
  cancel(reason: CancelReason): void;
  /** Stops the timer, sending nothing (the socket is gone). */
  stop(): void;
}

type Status = 'completed' | 'cancelled';

/** Starts a response for `step`; `ended` runs once it is over (completed, cancelled or cut by a fault). */
export function startResponse(host: ResponseHost, step: ScriptStep | undefined, ended: (response: ActiveResponse) => void): ActiveResponse {
  const record = host.record;
  const send: SendEvent = (type, body) => host.send(type, body);
  const responseId = newId('resp');
  const base: ResponseObject = { object: 'realtime.response', id: responseId, conversation_id: newId('conv'), output_modalities: ['audio'], max_output_tokens: 'inf', metadata: null,
    audio: { output: { format: { type: 'audio/pcm', rate: RATE }, voice: host.voice } }, status: 'in_progress', output: [] };
  send('response.created', { response: base });
  const itemId = newId('item');
  const output: WireItem[] = [];
  let sentBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  let over = false;
  const stop = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  const finish = (status: Status, reason?: CancelReason) => {
    stop();
    over = true;
    const rec = record.responses.find((r) => r.id === responseId);
    if (rec) rec.status = status;
    const outTokens = Math.round((sentBytes / 2 / RATE) * 10) + 1;
    const details = status === 'cancelled' ? { status_details: { type: 'cancelled' as const, reason: reason ?? 'client_cancelled' } } : {};
    send('response.done', { response: { ...base, status, ...details, output,
      usage: { total_tokens: 20 + outTokens, input_tokens: 20, output_tokens: outTokens, input_token_details: { text_tokens: 10, audio_tokens: 10, cached_tokens: 0 }, output_token_details: { text_tokens: 1, audio_tokens: outTokens - 1 } } } });
    ended(active);
  };
  const active: ActiveResponse = { id: responseId, get over() { return over; }, cancel: () => {}, stop };

  if (step && 'tool' in step) {
    const callId = `call_${randomBytes(8).toString('base64url')}`;
    const args = typeof step.tool.arguments === 'string' ? step.tool.arguments : JSON.stringify(step.tool.arguments);
    const item: FunctionCallItem = { id: itemId, type: 'function_call', object: 'realtime.item', status: 'in_progress', name: step.tool.name, call_id: callId, arguments: '' };
    record.responses.push({ id: responseId, status: 'in_progress', itemId, audioMs: 0 });
    record.toolCalls.push({ callId, name: step.tool.name, arguments: args });
    send('response.output_item.added', { response_id: responseId, output_index: 0, item });
    send('conversation.item.added', { previous_item_id: host.conversation.lastItemId, item });
    const at = Math.ceil(args.length / 2);
    for (const delta of [args.slice(0, at), args.slice(at)]) if (delta) send('response.function_call_arguments.delta', { response_id: responseId, item_id: itemId, output_index: 0, call_id: callId, delta });
    send('response.function_call_arguments.done', { response_id: responseId, item_id: itemId, output_index: 0, call_id: callId, name: step.tool.name, arguments: args });
    const done: FunctionCallItem = { ...item, status: 'completed', arguments: args };
    send('response.output_item.done', { response_id: responseId, output_index: 0, item: done });
    send('conversation.item.done', { previous_item_id: host.conversation.lastItemId, item: done });
    host.conversation.keep({ id: itemId, type: 'function_call', audioMs: 0, raw: done });
    output.push(done);
    finish('completed');
    return active;
  }

  const clip = clipFor(host.clips, step);
  const text = step && 'say' in step && step.say ? step.say : clip.text;
  const audioMs = (clip.pcm.length / 2 / RATE) * 1000;
  record.responses.push({ id: responseId, status: 'in_progress', itemId, audioMs, text });
  const item: AssistantMessageItem = { id: itemId, type: 'message', object: 'realtime.item', role: 'assistant', status: 'in_progress', content: [] };
  send('response.output_item.added', { response_id: responseId, output_index: 0, item });
  send('conversation.item.added', { previous_item_id: host.conversation.lastItemId, item });
  const span = voicedSpan(clip.known.envelopes[0]);
  const timed = text === clip.text ? clip.known.words : timeWords(text, span.startMs, span.endMs);
  const kept: Item = { id: itemId, type: 'message', audioMs, transcript: text, words: timed, raw: item };
  host.conversation.keep(kept);
  const ref = { response_id: responseId, item_id: itemId, output_index: 0, content_index: 0 };
  send('response.content_part.added', { ...ref, part: { type: 'audio', transcript: '' } });
  const words = text.split(/(?<= )/);
  const chunks = Math.ceil(clip.pcm.length / CHUNK_BYTES);
  let sentWords = 0;
  let sentText = '';
  const end = (status: Status, reason?: CancelReason) => {
    const partial = status === 'completed' ? text : sentText;
    send('response.output_audio.done', ref);
    send('response.output_audio_transcript.done', { ...ref, transcript: partial });
    send('response.content_part.done', { ...ref, part: { type: 'audio', transcript: partial } });
    const done: AssistantMessageItem = { ...item, status: status === 'completed' ? 'completed' : 'incomplete', content: [{ type: 'output_audio', transcript: partial }] };
    // Truncated before it ended: the item as kept has no transcript (session.ts, truncate).
    kept.raw = kept.truncatedMs === undefined ? done : { ...done, content: [{ type: 'output_audio', transcript: '' }] };
    send('response.output_item.done', { response_id: responseId, output_index: 0, item: done });
    send('conversation.item.done', { previous_item_id: null, item: done });
    output.push(done);
    finish(status, reason);
  };
  active.cancel = (reason) => {
    if (over) return;
    stop();
    end('cancelled', reason);
  };
  const tick = () => {
    // Ten chunks (1 s of audio) per 10 ms: far faster than real time, as the service sends.
    for (let k = 0; k < 10 && sentBytes < clip.pcm.length; k++) {
      const closeAfter = host.faults.closeMidResponseAfterDeltas;
      if (closeAfter !== undefined && sentBytes / CHUNK_BYTES >= closeAfter) {
        delete host.faults.closeMidResponseAfterDeltas;
        over = true;
        ended(active);
        return host.closeSocket(1011, 'fault: closed mid-response');
      }
      const chunk = clip.pcm.subarray(sentBytes, sentBytes + CHUNK_BYTES);
      sentBytes += chunk.length;
      send('response.output_audio.delta', { ...ref, delta: chunk.toString('base64') });
      const wantWords = Math.ceil((sentBytes / CHUNK_BYTES / chunks) * words.length);
      while (sentWords < wantWords) {
        sentText += words[sentWords];
        send('response.output_audio_transcript.delta', { ...ref, delta: words[sentWords++] });
      }
    }
    if (sentBytes >= clip.pcm.length) end('completed');
    else timer = setTimeout(tick, 10);
  };
  timer = setTimeout(tick, host.faults.firstDeltaDelayMs ?? 0);
  return active;
}

function clipFor(clips: ReadonlyMap<string, Clip>, step: ScriptStep | undefined): Clip {
  const name = step && 'clip' in step && step.clip ? step.clip : 'reply-4';
  const clip = clips.get(name);
  if (!clip) throw new Error(`realtime script: no clip ${JSON.stringify(name)}; bundled clips: ${[...clips.keys()].join(', ')}`);
  return clip;
}
