// The stand-in's server events checked against the openai package's types: each body the stand-in can send
// (server-events.ts, the only way session code sends) must be assignable to the openai `RealtimeServerEvent` of the
// same type, so `tsc` fails when a field is missing, misnamed, null where the service never sends null, or of the
// wrong type. At run time: a connection that goes through every kind of event sends only those types.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RealtimeServerEvent } from 'openai/resources/realtime/realtime';
import { WebSocket } from 'ws';
import { createRealtimeModel } from '../../../src/emulator/index.js';
import type { InputAudioPart, ServerEvent, ServerEventBodies, ServerEventType } from '../../../src/emulator/realtime/server-events.js';
import { waitUntil } from '../../wait-until.js';

/** A user audio part's `transcript: null` read as absent (server-events.ts, InputAudioPart: the wire has the null, the openai types do not). */
type AsOpenAITypes<T> = T extends InputAudioPart ? Omit<T, 'transcript'> & { transcript?: string } : T extends object ? { [K in keyof T]: AsOpenAITypes<T[K]> } : T;
/** true for each type whose event, as the stand-in types it, is an openai RealtimeServerEvent of that type. */
type Matches = { [K in ServerEventType]: AsOpenAITypes<Extract<ServerEvent, { type: K }>> extends Extract<RealtimeServerEvent, { type: K }> ? true : false };
// A `false` here is a compile error naming the event type whose shape does not match the openai package's.
const matches: { [K in ServerEventType]: true } = {} as Matches;

/** Every type the stand-in sends, checked exhaustive against ServerEventBodies by the compiler. */
const SENT = {
  'session.created': true, 'session.updated': true, 'input_audio_buffer.speech_started': true, 'input_audio_buffer.speech_stopped': true,
  'input_audio_buffer.committed': true, 'input_audio_buffer.cleared': true, 'conversation.item.added': true, 'conversation.item.done': true,
  'conversation.item.retrieved': true, 'conversation.item.truncated': true, 'conversation.item.input_audio_transcription.completed': true,
  'response.created': true, 'response.done': true, 'response.output_item.added': true, 'response.output_item.done': true,
  'response.content_part.added': true, 'response.content_part.done': true, 'response.output_audio.delta': true, 'response.output_audio.done': true,
  'response.output_audio_transcript.delta': true, 'response.output_audio_transcript.done': true, 'response.function_call_arguments.delta': true,
  'response.function_call_arguments.done': true, 'rate_limits.updated': true, error: true,
} satisfies Record<keyof ServerEventBodies, true>;

function tone(ms: number, amplitude: number): string {
  const n = (24000 * ms) / 1000;
  const buf = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(amplitude * Math.sin((2 * Math.PI * 220 * i) / 24000)), i * 2);
  return buf.toString('base64');
}

test('every event a connection sends is one of the typed server events (checked against the openai types at compile time)', async (t) => {
  assert.equal(Object.keys(matches).length, 0, 'the type check is compile-time only');
  const model = createRealtimeModel({ script: { greeting: { clip: 'reply-5' }, turns: [{ tool: { name: 'lookup', arguments: { id: 1 } } }, { clip: 'reply-1' }] } });
  await model.listen();
  t.after(() => model.close());
  const ws = new WebSocket(`${model.url}/v1/realtime?model=gpt-realtime`, { headers: { Authorization: `Bearer ${model.apiKey}` } });
  t.after(() => ws.close());
  const seen: Array<{ type: string; [k: string]: unknown }> = [];
  ws.on('message', (d) => seen.push(JSON.parse(d.toString())));
  const next = (type: string, after = 0) => waitUntil(() => seen.slice(after).find((e) => e.type === type), { message: () => `${type} among ${seen.map((e) => e.type).join(', ')}` });
  const send = (e: unknown) => ws.send(JSON.stringify(e));
  await next('session.created');
  send({ type: 'session.update', session: { type: 'realtime', audio: { input: { transcription: { model: 'whisper-1' }, turn_detection: { type: 'server_vad', silence_duration_ms: 200 } } } } });
  await next('session.updated');
  send({ type: 'response.create' });
  const first = await next('response.output_audio.delta');
  send({ type: 'input_audio_buffer.append', audio: tone(300, 8000) });
  await next('response.done');
  send({ type: 'conversation.item.truncate', item_id: first.item_id, content_index: 0, audio_end_ms: 200 });
  await next('conversation.item.truncated');
  send({ type: 'conversation.item.retrieve', item_id: first.item_id });
  await next('conversation.item.retrieved');
  send({ type: 'input_audio_buffer.append', audio: tone(300, 0) });
  const args = await next('response.function_call_arguments.done');
  send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: args.call_id, output: 'ok' } });
  send({ type: 'input_audio_buffer.append', audio: tone(100, 0) });
  send({ type: 'input_audio_buffer.clear' });
  await next('input_audio_buffer.cleared');
  model.setFaults({ rateLimit: true });
  send({ type: 'response.create' });
  await next('rate_limits.updated');
  send({ type: 'response.cancel', event_id: 'evt_x' });
  await waitUntil(() => seen.some((e) => e.type === 'error' && (e.error as { event_id: string }).event_id === 'evt_x'));
  const types = new Set(seen.map((e) => e.type));
  for (const type of types) assert.ok(type in SENT, `sent an event type outside the typed set: ${type}`);
  assert.deepEqual(Object.keys(SENT).filter((k) => !types.has(k)), [], 'this connection went through every kind of event');
});
