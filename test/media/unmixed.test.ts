import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { SampleRate } from '../../src/protocol/index.js';
import { audio, connect, ended, filesOf, frameOf, frameValues, makeHub, metadata, nextSession, wav } from './harness.js';

const ALICE = '4:+15551234567';
const BOB = '8:acs:3d20e1de-0f28-41c5-84a0-4960fde5f411_0000000b-faeb-c708-99bf-a43a0d0036b0';

for (const rate of [16000, 24000] as const) {
  test(`unmixed at ${rate} Hz: one aligned WAV per participant and mixdown.wav summing them`, async () => {
    const { hub, cleanup } = await makeHub();
    try {
      const socket = connect(hub);
      const started = nextSession(hub);
      socket.push(metadata('sub-unmixed', rate));
      const session = await started;
      const participants: Array<{ trackId: string; participantRawId: string | undefined }> = [];
      session.on('participant', (p) => participants.push(p));
      // Alice speaks frames 0–9, Bob frames 5–14, interleaved on one socket as ACS does.
      for (let slot = 0; slot < 15; slot++) {
        if (slot < 10) socket.push(audio(slot * 20, frameOf(100, rate as SampleRate), ALICE));
        if (slot >= 5) socket.push(audio(slot * 20, frameOf(1000, rate as SampleRate), BOB));
      }
      socket.conn.closed(1000, '');
      const summary = await ended(session);
      assert.equal(summary.channel, 'unmixed');
      assert.deepEqual(participants.map((p) => p.participantRawId), [ALICE, BOB]);
      const [alice, bob] = summary.participants;
      assert.equal(alice.trackId, '4_+15551234567');
      assert.match(bob.trackId, /^8_acs_3d20e1de[\w.+-]*-[0-9a-f]{10}$/);
      assert.deepEqual(await filesOf(summary), [`${alice.trackId}.wav`, `${bob.trackId}.wav`, 'mixdown.wav', 'session.json'].sort());
      const spf = rate / 50;
      const a = await wav(join(summary.recordingDir as string, alice.file as string));
      const b = await wav(join(summary.recordingDir as string, bob.file as string));
      const mix = await wav(join(summary.recordingDir as string, 'mixdown.wav'));
      assert.equal(a.samples.length, 15 * spf);
      assert.equal(b.samples.length, 15 * spf);
      assert.equal(mix.samples.length, 15 * spf);
      assert.deepEqual(frameValues(a.samples, spf), [...Array(10).fill(100), ...Array(5).fill(0)]);
      assert.deepEqual(frameValues(b.samples, spf), [...Array(5).fill(0), ...Array(10).fill(1000)]);
      assert.deepEqual(frameValues(mix.samples, spf), [...Array(5).fill(100), ...Array(5).fill(1100), ...Array(5).fill(1000)]);
    } finally {
      await cleanup();
    }
  });
}

test('a participant who first speaks at 3 s gets 3 s of leading silence', async () => {
  const { hub, cleanup } = await makeHub();
  try {
    const socket = connect(hub);
    const started = nextSession(hub);
    socket.push(metadata('sub-late-joiner'));
    const session = await started;
    for (let slot = 0; slot < 200; slot++) {
      socket.push(audio(slot * 20, frameOf(10), ALICE));
      if (slot >= 150) socket.push(audio(slot * 20, frameOf(20), BOB));
    }
    socket.conn.closed(1000, '');
    const summary = await ended(session);
    const bob = summary.participants[1];
    const b = await wav(join(summary.recordingDir as string, bob.file as string));
    const values = frameValues(b.samples, 320);
    assert.equal(values.length, 200);
    assert.ok(values.slice(0, 150).every((v) => v === 0));
    assert.ok(values.slice(150).every((v) => v === 20));
    assert.equal(summary.counts.gapsFilled, 0);
  } finally {
    await cleanup();
  }
});

test('mixdown.wav sums a slot the same whichever track arrives first, silent or not', async () => {
  const { hub, cleanup } = await makeHub();
  try {
    const socket = connect(hub);
    const started = nextSession(hub);
    socket.push(metadata('sub-order'));
    const session = await started;
    // Slot 0: Alice first (copied in), Bob added. Slot 1: Bob first and all zero (adds nothing), Alice added.
    // Slot 2: Alice all zero first, then Bob.
    socket.push(audio(0, frameOf(300), ALICE));
    socket.push(audio(0, frameOf(-100), BOB));
    socket.push(audio(20, frameOf(0), BOB));
    socket.push(audio(20, frameOf(250), ALICE));
    socket.push(audio(40, frameOf(0), ALICE));
    socket.push(audio(40, frameOf(-7), BOB));
    // Slots 3-39 both zero: the mix's slot ring wraps over slots 0-2, whose sums must not come back.
    for (let slot = 3; slot < 40; slot++) {
      socket.push(audio(slot * 20, frameOf(0), ALICE));
      socket.push(audio(slot * 20, frameOf(0), BOB));
    }
    socket.conn.closed(1000, '');
    const summary = await ended(session);
    const mix = await wav(join(summary.recordingDir as string, 'mixdown.wav'));
    assert.deepEqual(frameValues(mix.samples, 320), [200, 250, -7, ...Array(37).fill(0)]);
  } finally {
    await cleanup();
  }
});

test('recordMix: false writes the participants\' WAVs and no mixdown.wav', async () => {
  const { hub, cleanup } = await makeHub({ recordMix: false });
  try {
    const socket = connect(hub);
    const started = nextSession(hub);
    socket.push(metadata('sub-no-mix'));
    const session = await started;
    for (let slot = 0; slot < 5; slot++) {
      socket.push(audio(slot * 20, frameOf(100), ALICE));
      socket.push(audio(slot * 20, frameOf(200), BOB));
    }
    socket.conn.closed(1000, '');
    const summary = await ended(session);
    const [alice, bob] = summary.participants;
    assert.deepEqual(await filesOf(summary), [`${alice.trackId}.wav`, `${bob.trackId}.wav`, 'session.json'].sort());
    assert.deepEqual(frameValues((await wav(join(summary.recordingDir as string, bob.file as string))).samples, 320), Array(5).fill(200));
  } finally {
    await cleanup();
  }
});

test('mixdown.wav clips instead of wrapping when the sum leaves the int16 range', async () => {
  const { hub, cleanup } = await makeHub();
  try {
    const socket = connect(hub);
    const started = nextSession(hub);
    socket.push(metadata('sub-clip'));
    const session = await started;
    for (let slot = 0; slot < 3; slot++) {
      socket.push(audio(slot * 20, frameOf(30000), ALICE));
      socket.push(audio(slot * 20, frameOf(30000), BOB));
      socket.push(audio(slot * 20, frameOf(-30000), '4:+1999'));
    }
    socket.push(audio(60, frameOf(-30000), ALICE));
    socket.push(audio(60, frameOf(-30000), BOB));
    // Three tracks, out of range from the second on: clipped at the top as well.
    socket.push(audio(80, frameOf(30000), ALICE));
    socket.push(audio(80, frameOf(30000), BOB));
    socket.push(audio(80, frameOf(1), '4:+1999'));
    socket.conn.closed(1000, '');
    const summary = await ended(session);
    const mix = await wav(join(summary.recordingDir as string, 'mixdown.wav'));
    assert.deepEqual(frameValues(mix.samples, 320), [30000, 30000, 30000, -32768, 32767]);
  } finally {
    await cleanup();
  }
});

test('frames without a participant in an unmixed stream go to an `unknown` track', async () => {
  const { hub, cleanup } = await makeHub();
  try {
    const socket = connect(hub);
    const started = nextSession(hub);
    socket.push(metadata('sub-unknown'));
    const session = await started;
    socket.push(audio(0, frameOf(5), ALICE));
    socket.push(audio(20, frameOf(6)));
    socket.conn.closed(1000, '');
    const summary = await ended(session);
    assert.deepEqual(summary.participants.map((p) => p.trackId), ['4_+15551234567', 'unknown']);
  } finally {
    await cleanup();
  }
});
