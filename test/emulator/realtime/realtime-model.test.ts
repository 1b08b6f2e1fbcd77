// The realtime stand-in driven by the official openai package's realtime client over wss://, and raw ws for 401s.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import OpenAI, { AzureOpenAI } from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import type { RealtimeServerEvent } from 'openai/resources/realtime/realtime';
import { createRealtimeModel } from '../../../src/emulator/index.js';
import { waitUntil } from '../../wait-until.js';

// Every server event type the openai package knows, checked exhaustive by the compiler: a name the stand-in sends
// that is not here does not parse under the package's types.
const SERVER_EVENT_NAMES = ['conversation.created', 'conversation.item.created', 'conversation.item.deleted', 'conversation.item.input_audio_transcription.completed',
    'conversation.item.input_audio_transcription.delta', 'conversation.item.input_audio_transcription.failed', 'conversation.item.retrieved',
    'conversation.item.truncated', 'error', 'input_audio_buffer.cleared', 'input_audio_buffer.committed', 'input_audio_buffer.dtmf_event_received',
    'input_audio_buffer.speech_started', 'input_audio_buffer.speech_stopped', 'rate_limits.updated', 'response.output_audio.delta',
    'response.output_audio.done', 'response.output_audio_transcript.delta', 'response.output_audio_transcript.done', 'response.content_part.added',
    'response.content_part.done', 'response.created', 'response.done', 'response.function_call_arguments.delta', 'response.function_call_arguments.done',
    'response.output_item.added', 'response.output_item.done', 'response.output_text.delta', 'response.output_text.done', 'session.created',
    'session.updated', 'output_audio_buffer.started', 'output_audio_buffer.stopped', 'output_audio_buffer.cleared', 'conversation.item.added',
    'conversation.item.done', 'input_audio_buffer.timeout_triggered', 'conversation.item.input_audio_transcription.segment', 'mcp_list_tools.in_progress',
    'mcp_list_tools.completed', 'mcp_list_tools.failed', 'response.mcp_call_arguments.delta', 'response.mcp_call_arguments.done',
    'response.mcp_call.in_progress', 'response.mcp_call.completed', 'response.mcp_call.failed'] as const satisfies ReadonlyArray<RealtimeServerEvent['type']>;
const exhaustive: [Exclude<RealtimeServerEvent['type'], (typeof SERVER_EVENT_NAMES)[number]>] extends [never] ? true : false = true;
const SERVER_EVENT_TYPES = new Set<string>(exhaustive ? SERVER_EVENT_NAMES : []);

function tone(ms: number, amplitude: number): string {
  const n = (24000 * ms) / 1000;
  const buf = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(amplitude * Math.sin((2 * Math.PI * 220 * i) / 24000)), i * 2);
  return buf.toString('base64');
}

async function waitFor<T>(events: T[], pred: (e: T) => boolean): Promise<T> {
  const found = await waitUntil(() => events.find(pred) ?? false, { intervalMs: 5, message: () => `a matching event among ${events.length}: ${pred}` });
  return found as T;
}

test('a wrong key is refused at the upgrade with 401 and an error body', async (t) => {
  const model = createRealtimeModel();
  await model.listen();
  t.after(() => model.close());
  const status = await new Promise<{ code: number; body: string }>((resolve) => {
    const ws = new WebSocket(`${model.url}/v1/realtime?model=gpt-realtime`, { headers: { Authorization: 'Bearer nope' } });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    });
  });
  assert.equal(status.code, 401);
  assert.equal(JSON.parse(status.body).error.code, 'invalid_api_key');
});

for (const kind of ['openai', 'azure'] as const) {
  test(`${kind} client over wss: spoken turn, barge-in cancels, truncation acknowledged, tool call`, async (t) => {
    const model = createRealtimeModel({ script: { greeting: { clip: 'reply-0' }, turns: [{ tool: { name: 'lookup_order', arguments: { order: '42' } } }, { clip: 'reply-2' }] } });
    await model.listen();
    t.after(() => model.close());
    const httpsBase = model.wssUrl.replace('wss:', 'https:');
    const client = kind === 'openai'
      ? new OpenAI({ apiKey: model.apiKey, baseURL: `${httpsBase}/v1` })
      : new AzureOpenAI({ apiKey: model.apiKey, endpoint: httpsBase, apiVersion: '2025-08-28', deployment: 'gpt-realtime' });
    const rt = kind === 'openai'
      ? new OpenAIRealtimeWS({ model: 'gpt-realtime', options: { ca: model.certPem } }, client)
      : await OpenAIRealtimeWS.azure(client as AzureOpenAI, { deploymentName: 'gpt-realtime', options: { ca: model.certPem } });
    t.after(() => rt.close());
    const seen: Array<{ type: string; [k: string]: unknown }> = [];
    rt.on('event', (e) => seen.push(e as never));
    rt.on('error', (e) => seen.push({ type: 'sdk-error', message: e.message }));
    await waitFor(seen, (e) => e.type === 'session.created');
    rt.send({ type: 'session.update', session: { type: 'realtime', instructions: 'be brief', audio: { input: { format: { type: 'audio/pcm', rate: 24000 }, turn_detection: { type: 'server_vad', silence_duration_ms: 200 } } } } });
    await waitFor(seen, (e) => e.type === 'session.updated');
    rt.send({ type: 'response.create' });
    const firstDelta = await waitFor(seen, (e) => e.type === 'response.output_audio.delta');
    // Barge in: speech while the greeting streams cancels it.
    rt.send({ type: 'input_audio_buffer.append', audio: tone(400, 8000) });
    await waitFor(seen, (e) => e.type === 'input_audio_buffer.speech_started');
    const done = await waitFor(seen, (e) => e.type === 'response.done');
    const status = (done.response as { status: string }).status;
    assert.ok(status === 'cancelled' || status === 'completed');
    rt.send({ type: 'conversation.item.truncate', item_id: firstDelta.item_id as string, content_index: 0, audio_end_ms: 300 });
    const truncated = await waitFor(seen, (e) => e.type === 'conversation.item.truncated');
    assert.equal(truncated.audio_end_ms, 300);
    rt.send({ type: 'input_audio_buffer.append', audio: tone(400, 0) });
    const args = await waitFor(seen, (e) => e.type === 'response.function_call_arguments.done');
    assert.equal(args.name, 'lookup_order');
    assert.deepEqual(JSON.parse(args.arguments as string), { order: '42' });
    rt.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: args.call_id as string, output: '{"status":"shipped"}' } });
    rt.send({ type: 'response.create' });
    await waitFor(seen, (e) => e.type === 'response.done' && (e.response as { output: Array<{ type: string }> }).output[0]?.type === 'message' && e !== done);
    const record = (await (await fetch(`${model.url.replace('ws:', 'http:')}/admin/realtime/connections`)).json()) as { connections: Array<{ truncations: unknown[]; toolCalls: Array<{ output?: string }> }> };
    assert.deepEqual(record.connections[0].truncations, [{ itemId: firstDelta.item_id, contentIndex: 0, audioEndMs: 300, heardText: 'Hello,' }]);
    assert.equal(record.connections[0].toolCalls[0].output, '{"status":"shipped"}');
    for (const e of seen) {
      assert.ok(SERVER_EVENT_TYPES.has(e.type), `not an openai server event type: ${e.type}`);
      assert.equal(typeof e.event_id, 'string', `${e.type} without event_id`);
    }
    assert.equal(seen.filter((e) => e.type === 'error' || e.type === 'sdk-error').length, 0, JSON.stringify(seen.filter((e) => e.type.includes('error'))));
  });
}

test('faults: refuse, error event, rate limit, close mid-response', async (t) => {
  const model = createRealtimeModel({ faults: { refuseForMs: 60_000 } });
  await model.listen();
  t.after(() => model.close());
  const url = `${model.url}/v1/realtime?model=m`;
  const headers = { Authorization: `Bearer ${model.apiKey}` };
  const refused = await new Promise<number>((resolve) => new WebSocket(url, { headers }).on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0)));
  assert.equal(refused, 503);
  model.setFaults({ error: { code: 'server_error', message: 'boom' } });
  const ws = new WebSocket(url, { headers });
  const seen: Array<{ type: string; [k: string]: unknown }> = [];
  ws.on('message', (d) => seen.push(JSON.parse(d.toString())));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await waitFor(seen, (e) => e.type === 'session.created');
  ws.send(JSON.stringify({ type: 'response.create' }));
  assert.equal(((await waitFor(seen, (e) => e.type === 'error')).error as { code: string }).code, 'server_error');
  model.setFaults({ rateLimit: true });
  ws.send(JSON.stringify({ type: 'response.create' }));
  await waitFor(seen, (e) => e.type === 'rate_limits.updated');
  await waitFor(seen, (e) => e.type === 'error' && (e.error as { code: string }).code === 'rate_limit_exceeded');
  ws.send(JSON.stringify({ type: 'bogus.event', event_id: 'evt_1' }));
  assert.equal(((await waitFor(seen, (e) => e.type === 'error' && (e.error as { event_id?: string }).event_id === 'evt_1')).error as { code: string }).code, 'invalid_value');
  model.setFaults({ closeMidResponseAfterDeltas: 2 });
  ws.send(JSON.stringify({ type: 'response.create' }));
  assert.equal(await closed, 1011);
  assert.equal(seen.filter((e) => e.type === 'response.output_audio.delta').length, 2);
});

test('beta event names: response.audio.delta and conversation.item.created instead of the GA names', async (t) => {
  const model = createRealtimeModel({ eventNames: 'beta', faults: { firstDeltaDelayMs: 20 } });
  await model.listen();
  t.after(() => model.close());
  const ws = new WebSocket(`${model.url}/openai/realtime?api-version=2024-10-01-preview&deployment=gpt-4o-realtime-preview`, { headers: { 'api-key': model.apiKey } });
  t.after(() => ws.close());
  const seen: Array<{ type: string; [k: string]: unknown }> = [];
  ws.on('message', (d) => seen.push(JSON.parse(d.toString())));
  await waitFor(seen, (e) => e.type === 'session.created');
  ws.send(JSON.stringify({ type: 'response.create' }));
  await waitFor(seen, (e) => e.type === 'response.done');
  const types = new Set(seen.map((e) => e.type));
  assert.ok(types.has('response.audio.delta') && types.has('response.audio_transcript.delta') && types.has('conversation.item.created'));
  assert.ok(!types.has('response.output_audio.delta') && !types.has('conversation.item.added'));
});
