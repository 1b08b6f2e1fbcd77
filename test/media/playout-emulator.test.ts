// The media layer's playout model against the ACS emulator's (src/emulator/engine/playback.ts), on one clock: what
// the session says the caller heard when StopAudio cut a playback is what the emulator's ACS queue played out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createPlaybackRecorder } from '../../src/emulator/engine/playback.js';
import type { MediaSession } from '../../src/media/index.js';
import { connect, makeHub, metadata, nextSession } from './harness.js';

test('heardMs of a cut playback and of a played one match the emulator playout model within 40 ms', { timeout: 20_000 }, async (t) => {
  let clock = 4_000_000;
  const C = clock;
  const dir = await mkdtemp(join(tmpdir(), 'playout-emulator-'));
  const acs = createPlaybackRecorder({
    callConnectionId: 'call-playout',
    sampleRate: 16000,
    dir: () => Promise.resolve(dir),
    bidirectional: true,
    allowanceMs: 10_000,
    now: () => clock,
    logger: pino({ enabled: false }),
  });
  const { hub, cleanup } = await makeHub({ now: () => clock, recordingsDir: null });
  t.after(async () => {
    await cleanup();
    await acs.close();
    await rm(dir, { recursive: true, force: true });
  });
  const socket = connect(hub);
  const send = socket.info.send;
  socket.info.send = (text) => {
    acs.accept(text);
    return send(text);
  };
  const started = nextSession(hub);
  socket.push(metadata('sub-playout-emulator', 16000));
  const session: MediaSession = await started;

  const first = session.play({ pcm: new Int16Array(16000).fill(700), sampleRate: 16000 }); // 1 s, cut at ~430 ms
  await socket.waitForSent(2);
  for (let step = 1; step <= 21; step++) {
    clock = C + 20 * step;
    await socket.waitForSent(2 + step);
  }
  clock = C + 430;
  session.stopAudio();
  const cut = await first.done;
  const stop = acs.stats().stopAudio;
  assert.equal(stop.length, 1);
  assert.ok(Math.abs(cut.heardMs - stop[0].heardMs) <= 40, `media says ${cut.heardMs} ms heard, the emulator ${stop[0].heardMs} ms`);
  assert.equal(cut.heardMs, 430);

  const sentBefore = socket.sent.length;
  const second = session.play({ pcm: new Int16Array(320 * 5).fill(900), sampleRate: 16000 }); // 100 ms, played out
  await socket.waitForSent(sentBefore + 2);
  for (let step = 1; step <= 8; step++) {
    clock = C + 430 + 20 * step;
    await socket.waitForSent(Math.min(sentBefore + 5, sentBefore + 2 + step));
  }
  const played = await second.done;
  assert.equal(played.heardMs, 100);
  assert.ok(Math.abs(acs.stats().heardMs - (cut.heardMs + played.heardMs)) <= 40, `emulator heard ${acs.stats().heardMs} ms in all`);
});
