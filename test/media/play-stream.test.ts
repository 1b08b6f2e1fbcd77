// session.playStream: audio written faster than real time is resampled by our resampler, queued (bounded, drops
// counted) and paced like a file: every frame in order, none before its due time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MediaHubOptions, MediaSession } from '../../src/media/index.js';
import { resample } from '../../src/audio/index.js';
import type { SampleRate } from '../../src/protocol/index.js';
import { connect, decodeOutbound, makeHub, metadata, nextSession } from './harness.js';

async function streaming(rate: SampleRate, options: MediaHubOptions = {}) {
  const harness = await makeHub(options);
  const socket = connect(harness.hub);
  const started = nextSession(harness.hub);
  socket.push(metadata(`sub-stream-${rate}`, rate));
  const session: MediaSession = await started;
  return { ...harness, socket, session };
}

test('a 24 kHz stream written faster than real time into a 16 kHz session: every frame, in order, paced', { timeout: 20_000 }, async (t) => {
  // The hub clock is the test's: the pacer's due times are then exact, and each send is stamped with the clock.
  let clock = 3_000_000;
  const C = clock;
  const { socket, session, cleanup } = await streaming(16000, { now: () => clock, talkBackLeadMs: 20 });
  t.after(cleanup);
  const sentAt: number[] = [];
  const send = socket.info.send;
  socket.info.send = (text) => {
    sentAt.push(clock);
    return send(text);
  };
  // 1.01 s of a sweep at 24 kHz (16160 samples at 16 kHz: 50 frames and a half), in odd-sized chunks, all at once.
  const input = new Int16Array(24240);
  for (let i = 0; i < input.length; i++) input[i] = Math.round(8000 * Math.sin((2 * Math.PI * (200 + i / 40) * i) / 24000));
  const stream = session.playStream({ sampleRate: 24000 });
  for (let pos = 0; pos < input.length; pos += 997) stream.write(input.subarray(pos, pos + 997));
  stream.end();
  // Real time, 20 ms a step: frames due up to now + the 20 ms lead go out, no more.
  await socket.waitForSent(2);
  for (let step = 1; sentAt.length < 51; step++) {
    clock = C + 20 * step;
    await socket.waitForSent(Math.min(51, 2 + step));
  }
  clock += 100;
  const result = await stream.done;
  assert.deepEqual(result, { status: 'completed', framesSent: 51, framesSkipped: 0, sentMs: 1020, heardMs: 1020 });
  // Paced: frame n is due at C + n × 20 ms and may leave at most the 20 ms lead early.
  let early = 0;
  for (let n = 0; n < sentAt.length; n++) if (sentAt[n] < C + n * 20 - 20) early++;
  assert.equal(early, 0, `${early} frames were sent before their due time`);

  const frames = socket.sent.map(decodeOutbound).filter((m): m is Int16Array => m !== 'StopAudio');
  assert.equal(frames.length, 51);
  // In order and exactly the resampler's output of the whole (streaming output equals one-shot), the tail padded.
  const expected = new Int16Array(51 * 320);
  expected.set(resample(input, 24000, 16000));
  const got = new Int16Array(51 * 320);
  frames.forEach((f, i) => got.set(f, i * 320));
  assert.deepEqual(got, expected);
  assert.equal(session.summary().counts.talkBackFrames, 51);
});

test('a stream queue is bounded by maxQueuedMs: what does not fit is dropped and counted', async (t) => {
  const { session, hub, cleanup } = await streaming(16000);
  t.after(cleanup);
  const stream = session.playStream({ sampleRate: 16000, maxQueuedMs: 100 });
  stream.write(new Int16Array(320 * 20).fill(3)); // 400 ms at once: 100 ms fit
  stream.end();
  stream.write(new Int16Array(320)); // after end(): ignored
  assert.deepEqual(await stream.done, { status: 'completed', framesSent: 5, framesSkipped: 15, sentMs: 100, heardMs: 100 });
  assert.equal(session.summary().counts.talkBackSkipped, 15);
  assert.equal(hub.stats().talkBackSkipped, 15);
});

test('a stream plays after the one before it, waits for audio while the writer is behind, and is cut by stopAudio', { timeout: 10_000 }, async (t) => {
  const { socket, session, cleanup } = await streaming(16000);
  t.after(cleanup);
  const first = session.play({ pcm: new Int16Array(320 * 2).fill(1), sampleRate: 16000 });
  const stream = session.playStream({ sampleRate: 8000 });
  await first.done;
  stream.write(new Int16Array(160 * 3).fill(2)); // 60 ms at 8 kHz
  await socket.waitForSent(4);
  assert.equal(stream.sentMs >= 20, true);
  session.stopAudio();
  const result = await stream.done;
  assert.equal(result.status, 'cancelled');
  assert.ok(result.heardMs <= result.sentMs);
  stream.write(new Int16Array(160)); // after the cut: ignored, no error
  assert.equal(decodeOutbound(socket.sent[socket.sent.length - 1]), 'StopAudio');
});

test('playStream checks its options', async (t) => {
  const { session, cleanup } = await streaming(16000);
  t.after(cleanup);
  assert.throws(() => session.playStream({ sampleRate: 0 }), { code: 'ERR_MEDIA_BAD_PLAY_SOURCE' });
  assert.throws(() => session.playStream({ sampleRate: 24000, maxQueuedMs: 0 }), { code: 'ERR_MEDIA_BAD_PLAY_SOURCE', message: /maxQueuedMs/ });
  const stream = session.playStream({ sampleRate: 24000 });
  assert.throws(() => stream.write([1, 2] as unknown as Int16Array), { code: 'ERR_MEDIA_BAD_PLAY_SOURCE' });
  stream.cancel();
  assert.equal((await stream.done).status, 'cancelled');
});
