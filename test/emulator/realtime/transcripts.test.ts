// What the stand-in says was said: input transcripts name a known clip the caller played (resampled, quieter,
// re-framed), anything else gets its length; a truncate leaves the item with the words the caller heard.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test, type TestContext } from 'node:test';
import { WebSocket } from 'ws';
import { readWav, resample } from '../../../src/audio/index.js';
import { createRealtimeModel, type RealtimeScript } from '../../../src/emulator/index.js';
import { waitUntil } from '../../wait-until.js';

type Event = { type: string; [k: string]: unknown };

async function connect(t: TestContext, script?: RealtimeScript) {
  const model = createRealtimeModel({ script });
  await model.listen();
  t.after(() => model.close());
  const ws = new WebSocket(`${model.url}/v1/realtime?model=gpt-realtime`, { headers: { Authorization: `Bearer ${model.apiKey}` } });
  t.after(() => ws.close());
  const seen: Event[] = [];
  ws.on('message', (d) => seen.push(JSON.parse(d.toString()) as Event));
  const next = async (pred: (e: Event) => boolean) =>
    (await waitUntil(() => seen.find(pred), { message: () => `an event among ${seen.map((e) => e.type).join(', ')}` })) as Event;
  await next((e) => e.type === 'session.created');
  const send = (event: unknown) => ws.send(JSON.stringify(event));
  return { model, seen, next, send };
}

/** 24 kHz samples of a WAV under fixtures/, scaled by `gain`. */
function clip(path: string, gain: number): Int16Array {
  const wav = readWav(readFileSync(new URL(`../../../fixtures/${path}`, import.meta.url)));
  const at24k = wav.sampleRate === 24000 ? wav.samples : resample(wav.samples, wav.sampleRate, 24000);
  return Int16Array.from(at24k, (v) => Math.round(v * gain));
}

/** Appends silence, the samples, then silence, in chunks of an odd size (windows need not line up with appends). */
function speak(send: (e: unknown) => void, samples: Int16Array, leadSamples: number): void {
  const all = new Int16Array(leadSamples + samples.length + 24000);
  all.set(samples, leadSamples);
  for (let off = 0; off < all.length; off += 1001) {
    const part = all.subarray(off, off + 1001);
    send({ type: 'input_audio_buffer.append', audio: Buffer.from(part.buffer, part.byteOffset, part.byteLength).toString('base64') });
  }
}

const TRANSCRIBE = { type: 'session.update', session: { type: 'realtime', audio: { input: { transcription: { model: 'whisper-1' }, turn_detection: { type: 'server_vad', create_response: false } } } } };

test('input transcription: a bundled speech fixture the caller played (16 kHz, resampled, at half level) gets its text', async (t) => {
  const { seen, next, send, model } = await connect(t);
  send(TRANSCRIBE);
  await next((e) => e.type === 'session.updated');
  speak(send, clip('speech/en-us-male.wav', 0.5), 4837);
  const done = await next((e) => e.type === 'conversation.item.input_audio_transcription.completed');
  assert.equal(done.transcript, "Hi, I'm calling about my order from last week.");
  assert.equal(model.connections()[0].turns[0].transcript, done.transcript);
  speak(send, clip('realtime/reply-1.wav', 1.5), 2400);
  await waitUntil(() => seen.filter((e) => e.type === 'conversation.item.input_audio_transcription.completed').length === 2);
  assert.equal(seen.filter((e) => e.type === 'conversation.item.input_audio_transcription.completed')[1].transcript, 'Sure, I can help with that.');
});

test('input transcription: audio that is no known clip (a tone) gets its length, not invented words', async (t) => {
  const { next, send } = await connect(t);
  send(TRANSCRIBE);
  await next((e) => e.type === 'session.updated');
  const tone = Int16Array.from({ length: 24000 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / 24000)));
  speak(send, tone, 2400);
  const done = await next((e) => e.type === 'conversation.item.input_audio_transcription.completed');
  assert.match(String(done.transcript), /^\[speech \d+ ms\]$/);
});

test('truncate: the record keeps the words heard up to audio_end_ms, and the item as retrieved has no transcript (as the service)', async (t) => {
  const { next, send, model } = await connect(t, { greeting: { clip: 'reply-5' } });
  send({ type: 'response.create' });
  const done = await next((e) => e.type === 'response.done');
  const itemId = (done.response as { output: Array<{ id: string }> }).output[0].id;
  const fullMs = model.connections()[0].responses[0].audioMs;
  send({ type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: Math.round(fullMs / 3) });
  await next((e) => e.type === 'conversation.item.truncated');
  const heard = model.connections()[0].truncations[0].heardText ?? '';
  const full = 'Of course. Your order left our warehouse on Monday morning and is now with the courier. It should reach you by Thursday afternoon.';
  assert.ok(heard.length > 0 && full.startsWith(heard) && heard.length < full.length / 2, `heard a third in: ${JSON.stringify(heard)}`);
  send({ type: 'conversation.item.retrieve', item_id: itemId });
  const retrieved = await next((e) => e.type === 'conversation.item.retrieved');
  assert.deepEqual((retrieved.item as { content: unknown[] }).content, [{ type: 'output_audio', transcript: '' }]);
});
