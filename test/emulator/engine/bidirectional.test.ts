import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMediaEngine } from '../../../src/emulator/engine/index.js';
import type { LocalEngineStream } from '../../../src/emulator/engine/index.js';
import { makeSpec, recordEvents, samplesOf, startRecordingServer, unwrap } from './recording-server.js';
import { waitUntil } from '../../wait-until.js';

const SPEED = 10;

function pcmOfWav(file: Buffer): Int16Array {
  const dataAt = file.indexOf('data') + 8;
  const bytes = file.subarray(dataAt);
  return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

function base64Of(samples: Int16Array): string {
  return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength).toString('base64');
}

test('the app audio echoed back is recorded to a WAV whose samples equal what the app sent', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'engine-playback-'));
  const echoed: Int16Array[] = [];
  const server = await startRecordingServer({
    onMessage(connection, text) {
      const packet = unwrap(text);
      if (packet.kind !== 'AudioData' || echoed.length === 50) return;
      const samples = samplesOf(packet.body);
      echoed.push(samples);
      // The JS SDK's outbound shape (createOutboundAudioData), docs/protocol.md §2.
      connection.socket.send(
        JSON.stringify({ kind: 'audioData', audioData: { data: base64Of(samples), isSilent: false }, stopAudio: {} }),
      );
    },
  });
  t.after(() => server.close());
  const engine = createMediaEngine({ speed: SPEED, playbackDir: dir });
  t.after(() => engine.close());
  const spec = makeSpec(server.url, {
    callConnectionId: 'call/../echo',
    bidirectional: true,
    scenario: { participants: [{ rawId: 'a', steps: [{ atMs: 0, say: { type: 'tone', frequencyHz: 500 } }] }] },
  });
  const stream: LocalEngineStream = engine.start(spec, recordEvents());
  // The WAV holds what the caller heard: wait until ACS has played the last frame out.
  await waitUntil(() => stream.stats().outboundFramesReceived === 50 && stream.stats().outboundQueuedMs === 0, { intervalMs: 2, message: 'the engine to receive and play out 50 echoed frames' });
  await stream.stop();

  const stats = stream.stats();
  assert.equal(stats.outboundHeardMs, 1000);
  assert.equal(stats.playbackWavPath, join(dir, 'call_.._echo.wav'));
  assert.equal(stats.outboundViolations, 0);
  const recorded = pcmOfWav(await readFile(stats.playbackWavPath!));
  assert.deepEqual(recorded, Int16Array.from(echoed.flatMap((samples) => [...samples])));
  await engine.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

test('StopAudio is counted; malformed messages, frames at the other rate and odd byte counts are violations', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'engine-playback-'));
  const server = await startRecordingServer({
    onMessage(connection, text) {
      if (unwrap(text).kind !== 'AudioMetadata') return;
      connection.socket.send(JSON.stringify({ Kind: 'AudioData', AudioData: { Data: base64Of(new Int16Array(320)) } }));
      connection.socket.send(JSON.stringify({ Kind: 'StopAudio', StopAudio: {} }));
      connection.socket.send('{"kind":"audioData"');
      connection.socket.send(JSON.stringify({ kind: 'AudioData', audioData: { data: base64Of(new Int16Array(480)) } }));
      connection.socket.send(JSON.stringify({ kind: 'AudioData', audioData: { data: 'AQID' } }));
    },
  });
  t.after(() => server.close());
  const engine = createMediaEngine({ speed: SPEED, playbackDir: dir });
  t.after(() => engine.close());
  const stream = engine.start(makeSpec(server.url, { bidirectional: true }), recordEvents());
  await waitUntil(() => stream.stats().outboundViolations === 3, { intervalMs: 2, message: 'three outbound violations' });
  await stream.stop();

  const stats = stream.stats();
  assert.equal(stats.outboundFramesReceived, 2);
  assert.equal(stats.outboundStopAudioReceived, 1);
  assert.equal(stats.outboundViolationsByKind.malformed, 1);
  assert.equal(stats.outboundViolationsByKind.wrong_format, 2);
  await engine.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

test('audio sent far faster than real time counts pacing violations', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'engine-playback-'));
  const frame = JSON.stringify({ kind: 'AudioData', audioData: { data: base64Of(new Int16Array(320)) } });
  const server = await startRecordingServer({
    onMessage(connection, text) {
      if (unwrap(text).kind !== 'AudioMetadata') return;
      for (let i = 0; i < 100; i++) connection.socket.send(frame);
    },
  });
  t.after(() => server.close());
  const engine = createMediaEngine({ playbackDir: dir });
  t.after(() => engine.close());
  const stream = engine.start(makeSpec(server.url, { bidirectional: true }), recordEvents());
  await waitUntil(() => stream.stats().outboundFramesReceived === 100, { intervalMs: 2, message: 'the engine to receive 100 frames' });
  await stream.stop();

  assert.ok(stream.stats().outboundViolationsByKind.too_fast > 50);
  await engine.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

test('audio from the app on a call that is not bidirectional is a violation and is not recorded', async (t) => {
  const server = await startRecordingServer({
    onMessage(connection, text) {
      if (unwrap(text).kind !== 'AudioMetadata') return;
      connection.socket.send(JSON.stringify({ kind: 'AudioData', audioData: { data: base64Of(new Int16Array(320)) } }));
    },
  });
  t.after(() => server.close());
  const engine = createMediaEngine({ speed: SPEED });
  t.after(() => engine.close());
  const stream = engine.start(makeSpec(server.url, { bidirectional: false }), recordEvents());
  await waitUntil(() => stream.stats().outboundViolations === 1, { intervalMs: 2, message: 'one outbound violation' });
  await stream.stop();

  assert.equal(stream.stats().outboundViolationsByKind.not_bidirectional, 1);
  assert.equal(stream.stats().playbackWavPath, undefined);
  await engine.close();
  await server.close();
});
