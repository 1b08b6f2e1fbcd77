import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav, levelDbfs } from '../../../src/audio/index.js';
import { createMediaEngine } from '../../../src/emulator/engine/index.js';
import { makeSpec, recordEvents, samplesOf, startRecordingServer, unwrap } from './recording-server.js';

const SPEED = 10;

test('a WAV source at 8 kHz stereo is converted to the call rate, and its transcript beside it is used', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'engine-sources-'));
  const seconds = 0.5;
  const stereo = new Int16Array(8000 * seconds * 2);
  for (let i = 0; i < stereo.length / 2; i++) {
    const value = Math.round(8000 * Math.sin((2 * Math.PI * 300 * i) / 8000));
    stereo[2 * i] = value;
    stereo[2 * i + 1] = value;
  }
  const wavPath = join(dir, 'hello.wav');
  await writeFile(wavPath, encodeWav(stereo, 8000, 2));
  await writeFile(
    join(dir, 'hello.json'),
    JSON.stringify({ text: 'Hello.', words: [{ text: 'hello', offset: 0, duration: 4_000_000 }] }),
  );
  const media = await startRecordingServer();
  const transcripts = await startRecordingServer();
  const engine = createMediaEngine({ speed: SPEED });
  t.after(() => engine.close());
  const spec = makeSpec(media.url, {
    sampleRate: 24000,
    transcription: { transportUrl: transcripts.url, locale: 'en-US', subscriptionId: 't', intermediateResults: true },
    scenario: { durationMs: 1000, participants: [{ rawId: 'a', steps: [{ atMs: 0, say: { type: 'wav', path: wavPath } }] }] },
  });
  engine.start(spec, recordEvents());
  const connection = await media.connection(0);
  await connection.closed;
  const socket = await transcripts.connection(0);
  await socket.closed;

  const frames = connection.messages.slice(1).map((text) => samplesOf(unwrap(text).body));
  assert.equal(frames.length, 50);
  assert.ok(frames.slice(2, 23).every((samples) => samples.length === 480 && levelDbfs(samples) > -20));
  assert.ok(frames.slice(27).every((samples) => levelDbfs(samples) === -Infinity));
  assert.deepEqual(
    socket.messages.slice(1).map((text) => unwrap(text).body.text),
    ['Hello.'],
  );
  await engine.close();
  await media.close();
  await transcripts.close();
  await rm(dir, { recursive: true, force: true });
});

test('overlapping steps of one participant are mixed', async (t) => {
  const server = await startRecordingServer();
  t.after(() => server.close());
  const engine = createMediaEngine({ speed: SPEED });
  t.after(() => engine.close());
  const tone = { type: 'tone' as const, frequencyHz: 1000, amplitude: 0.2, durationMs: 200 };
  const spec = makeSpec(server.url, {
    scenario: { durationMs: 400, participants: [{ rawId: 'a', steps: [{ atMs: 0, say: tone }, { atMs: 100, say: tone }] }] },
  });
  engine.start(spec, recordEvents());
  const connection = await server.connection(0);
  await connection.closed;

  const frames = connection.messages.slice(1).map((text) => samplesOf(unwrap(text).body));
  const peak = (samples: Int16Array) => Math.max(...samples.map(Math.abs));
  assert.ok(Math.abs(peak(frames[2]) - 6553) <= 1);
  assert.ok(peak(frames[7]) > 6553 * 1.5, 'two tones in phase add up');
  assert.equal(peak(frames[16]), 0);
  await engine.close();
  await server.close();
});

test('a listener that throws does not stop the stream', async (t) => {
  const server = await startRecordingServer();
  t.after(() => server.close());
  const engine = createMediaEngine({ speed: SPEED });
  t.after(() => engine.close());
  const events = recordEvents({
    connected() {
      throw new Error('control plane bug');
    },
  });
  engine.start(makeSpec(server.url, { scenario: { durationMs: 400, participants: [] } }), events);
  const connection = await server.connection(0);
  await connection.closed;
  await events.when('ended');

  assert.equal(connection.messages.length, 21);
  await engine.close();
  await server.close();
});

test('an unreadable WAV source fails the stream with a message naming the file', async (t) => {
  const engine = createMediaEngine({ speed: SPEED });
  t.after(() => engine.close());
  const events = recordEvents();
  const stream = engine.start(
    makeSpec('ws://127.0.0.1:9/ws', {
      scenario: { participants: [{ rawId: 'a', steps: [{ atMs: 0, say: { type: 'wav', path: '/nonexistent/x.wav' } }] }] },
    }),
    events,
  );
  await stream.done;

  assert.deepEqual(events.names, ['failed']);
  assert.match(events.failures[0], /\/nonexistent\/x\.wav/);
  await engine.close();
});
