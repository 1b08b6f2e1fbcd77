// ACS's playout, modelled by the emulator: what the app sends is queued and played in real time (call time), and
// StopAudio drops what is still queued. The recorder is driven with a manual clock; the last test goes through a
// real engine stream and socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { readWav } from '../../../src/audio/index.js';
import { createMediaEngine } from '../../../src/emulator/engine/index.js';
import { createPlaybackRecorder, type PlaybackRecorder } from '../../../src/emulator/engine/playback.js';
import { makeSpec, recordEvents, startRecordingServer, unwrap } from './recording-server.js';

const RATE = 16000;
const FRAME = 320;

function frameOf(value: number): string {
  const samples = new Int16Array(FRAME).fill(value);
  return JSON.stringify({ kind: 'AudioData', audioData: { data: Buffer.from(samples.buffer).toString('base64') } });
}
const STOP = JSON.stringify({ kind: 'StopAudio', stopAudio: {} });

async function recorderWithClock(t: { after(fn: () => Promise<void>): void }, speed = 1): Promise<{ recorder: PlaybackRecorder; clock: { ms: number }; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'playout-'));
  const clock = { ms: 1000 };
  const recorder = createPlaybackRecorder({
    callConnectionId: 'call-1',
    sampleRate: RATE,
    dir: () => Promise.resolve(dir),
    bidirectional: true,
    allowanceMs: 10_000,
    speed,
    now: () => clock.ms,
    logger: pino({ enabled: false }),
  });
  t.after(async () => {
    await recorder.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { recorder, clock, dir };
}

test('audio sent at once is played in real time: heard grows with the clock, the rest stays queued', async (t) => {
  const { recorder, clock } = await recorderWithClock(t);
  for (let i = 0; i < 50; i++) recorder.accept(frameOf(i));
  assert.equal(recorder.stats().heardMs, 0);
  assert.equal(recorder.stats().queuedMs, 1000);
  clock.ms += 250;
  assert.equal(recorder.stats().heardMs, 250);
  assert.equal(recorder.stats().queuedMs, 750);
  clock.ms += 5000;
  assert.equal(recorder.stats().heardMs, 1000);
  assert.equal(recorder.stats().queuedMs, 0);
});

test('StopAudio drops what is queued and reports heard and dropped ms since the previous StopAudio', async (t) => {
  const { recorder, clock } = await recorderWithClock(t);
  for (let i = 0; i < 50; i++) recorder.accept(frameOf(1));
  clock.ms += 310;
  recorder.accept(STOP);
  // A gap with nothing queued is not audio heard.
  clock.ms += 1000;
  for (let i = 0; i < 10; i++) recorder.accept(frameOf(2));
  clock.ms += 90;
  recorder.accept(STOP);
  const stats = recorder.stats();
  assert.deepEqual(stats.stopAudio, [
    { atMs: 310, heardMs: 310, droppedMs: 690 },
    { atMs: 1400, heardMs: 90, droppedMs: 110 },
  ]);
  assert.equal(stats.stopAudioReceived, 2);
  assert.equal(stats.heardMs, 400);
  assert.equal(stats.droppedMs, 800);
  assert.equal(stats.audioMs, 1200);
});

test('the queue drains at the engine speed, and StopAudio times are call time', async (t) => {
  const { recorder, clock } = await recorderWithClock(t, 4);
  for (let i = 0; i < 50; i++) recorder.accept(frameOf(1));
  clock.ms += 100;
  recorder.accept(STOP);
  assert.deepEqual(recorder.stats().stopAudio, [{ atMs: 400, heardMs: 400, droppedMs: 600 }]);
});

test('the WAV holds what the caller heard, cut where StopAudio cut it, without what was dropped', async (t) => {
  const { recorder, clock } = await recorderWithClock(t);
  for (let i = 0; i < 5; i++) recorder.accept(frameOf(i + 1));
  clock.ms += 50; // frames 1, 2 and half of 3
  recorder.accept(STOP);
  recorder.accept(frameOf(9));
  clock.ms += 100;
  recorder.accept(frameOf(10)); // queued when the call ends: never heard
  await recorder.close();
  const wav = readWav(await readFile(recorder.stats().wavPath!));
  const expected = [...new Array(FRAME).fill(1), ...new Array(FRAME).fill(2), ...new Array(FRAME / 2).fill(3), ...new Array(FRAME).fill(9)];
  assert.deepEqual([...wav.samples], expected);
  assert.equal(recorder.stats().droppedMs, 50 + 20);
});

test('through an engine stream: heard + dropped at StopAudio is what the app sent, and the WAV is the heard part', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'playout-engine-'));
  let app: { send(text: string): void } | undefined;
  const server = await startRecordingServer({
    onMessage(connection, text) {
      if (unwrap(text).kind !== 'AudioMetadata') return;
      app = connection.socket;
      for (let i = 0; i < 100; i++) connection.socket.send(frameOf(100)); // 2 s at once, as a model's deltas arrive
    },
  });
  const engine = createMediaEngine({ speed: 4, playbackDir: dir, playbackAllowanceMs: 60_000 });
  t.after(async () => {
    await engine.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  const stream = engine.start(makeSpec(server.url, { bidirectional: true }), recordEvents());
  while (!(stream.stats().outboundFramesReceived === 100 && stream.stats().outboundHeardMs >= 300)) await new Promise((resolve) => setTimeout(resolve, 2));
  app!.send(STOP);
  while (stream.stats().outboundStopAudioReceived === 0) await new Promise((resolve) => setTimeout(resolve, 2));
  await stream.stop();

  const stats = stream.stats();
  const [stop] = stats.outboundStopAudio;
  assert.ok(stop.heardMs >= 300 && stop.heardMs < 2000, `heard ${stop.heardMs} ms`);
  assert.ok(Math.abs(stop.heardMs + stop.droppedMs - 2000) < 1e-6, `heard ${stop.heardMs} + dropped ${stop.droppedMs}`);
  assert.equal(stats.outboundHeardMs, stop.heardMs);
  const wav = readWav(await readFile(stats.playbackWavPath!));
  assert.equal(wav.samples.length, Math.round((stop.heardMs * RATE) / 1000));
});
