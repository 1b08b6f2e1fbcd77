import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMediaHub, type MediaHubOptions, type MediaSession, type PlayoutEvent } from '../../src/media/index.js';
import type { SampleRate } from '../../src/protocol/index.js';
import { connect, decodeOutbound, makeHub, metadata, nextSession, wavBuffer, type FakeSocket } from './harness.js';

async function streaming(rate: SampleRate, options: MediaHubOptions = {}) {
  const harness = await makeHub(options);
  const socket = connect(harness.hub);
  const started = nextSession(harness.hub);
  socket.push(metadata(`sub-talk-${rate}`, rate));
  const session: MediaSession = await started;
  return { ...harness, socket, session };
}

function audioFrames(socket: FakeSocket): Int16Array[] {
  return socket.sent.map(decodeOutbound).filter((m): m is Int16Array => m !== 'StopAudio');
}

for (const rate of [16000, 24000] as const) {
  test(`plays a 44.1 kHz stereo WAV file as 20 ms frames at ${rate} Hz`, async () => {
    const { hub, dir, socket, session, cleanup } = await streaming(rate);
    try {
      // 200 ms of a constant level, stereo (both channels equal).
      const path = join(dir, 'prompt.wav');
      await writeFile(path, wavBuffer(new Int16Array(8820 * 2).fill(1000), 44100, 2));
      const result = await session.play({ wavPath: path }).done;
      assert.deepEqual(result, { status: 'completed', framesSent: 10, framesSkipped: 0, sentMs: 200, heardMs: 200 });
      const frames = audioFrames(socket);
      assert.equal(frames.length, 10);
      for (const frame of frames) assert.equal(frame.length, rate / 50);
      // Away from the edges (where the resampling filter rings in and out), the level is the file's.
      assert.ok(frames.slice(2, 8).every((f) => f.every((v) => Math.abs(v - 1000) <= 10)));
      assert.equal(session.summary().counts.talkBackFrames, 10);
      assert.equal(hub.stats().talkBackFrames, 10);
    } finally {
      await cleanup();
    }
  });
}

test('stopAudio cancels playback, sends StopAudio and resolves done as cancelled', async () => {
  const { socket, session, cleanup } = await streaming(16000);
  try {
    const long = session.play({ pcm: new Int16Array(16000 * 5).fill(500), sampleRate: 16000 });
    const queued = session.play({ pcm: new Int16Array(320), sampleRate: 16000 });
    await socket.waitForSent(1);
    session.stopAudio();
    const [first, second] = await Promise.all([long.done, queued.done]);
    assert.equal(first.status, 'cancelled');
    assert.ok(first.framesSent >= 1 && first.framesSent < 250);
    assert.deepEqual(second, { status: 'cancelled', framesSent: 0, framesSkipped: 0, sentMs: 0, heardMs: 0 });
    assert.equal(decodeOutbound(socket.sent[socket.sent.length - 1]), 'StopAudio');
    assert.equal(audioFrames(socket).length, first.framesSent);
  } finally {
    await cleanup();
  }
});

test('playbacks queue in order and each completes when its last frame is sent', async () => {
  const { socket, session, cleanup } = await streaming(16000);
  try {
    const order: string[] = [];
    const a = session.play({ pcm: new Int16Array(960).fill(1), sampleRate: 16000 });
    const b = session.play({ pcm: new Int16Array(960).fill(2), sampleRate: 16000 });
    void a.done.then(() => order.push('a'));
    void b.done.then(() => order.push('b'));
    await b.done;
    assert.deepEqual(order, ['a', 'b']);
    assert.deepEqual(audioFrames(socket).map((f) => f[0]), [1, 1, 1, 2, 2, 2]);
  } finally {
    await cleanup();
  }
});

test('a short last frame is padded with silence to 20 ms', async () => {
  const { socket, session, cleanup } = await streaming(16000);
  try {
    await session.play({ pcm: new Int16Array(400).fill(9), sampleRate: 16000 }).done;
    const frames = audioFrames(socket);
    assert.equal(frames.length, 2);
    assert.equal(frames[1].length, 320);
    assert.equal(frames[1][79], 9);
    assert.equal(frames[1][80], 0);
  } finally {
    await cleanup();
  }
});

test('plays an async stream of PCM chunks, resampled and cut into frames', async () => {
  const { socket, session, cleanup } = await streaming(16000);
  try {
    async function* chunks() {
      for (let i = 0; i < 4; i++) yield Buffer.from(new Int16Array(400).fill(700).buffer); // 50 ms at 8 kHz each
    }
    const result = await session.play({ stream: chunks(), sampleRate: 8000 }).done;
    assert.equal(result.status, 'completed');
    assert.equal(result.framesSent, 10);
    assert.ok(audioFrames(socket).every((f) => f.length === 320));
  } finally {
    await cleanup();
  }
});

test('sends frame n at start + n × 20 ms by the clock, however late the timer fires', async () => {
  let clock = 1_000_000;
  const { socket, session, cleanup } = await streaming(16000, { now: () => clock, talkBackLeadMs: 0 });
  try {
    const handle = session.play({ pcm: new Int16Array(320 * 20), sampleRate: 16000 });
    await socket.waitForSent(1);
    assert.equal(socket.sent.length, 1);
    clock += 97; // frames due at +20, +40, +60, +80
    await socket.waitForSent(5);
    assert.equal(socket.sent.length, 5);
    clock += 3; // +100 is due now
    await socket.waitForSent(6);
    assert.equal(socket.sent.length, 6);
    clock += 1000;
    await socket.waitForSent(20);
    // The late timer let ACS run dry (the model shifts its playout); the catch-up burst plays out from now.
    assert.equal(handle.playedMs, 400 - 14 * 20);
    clock += 1000;
    assert.deepEqual(await handle.done, { status: 'completed', framesSent: 20, framesSkipped: 0, sentMs: 400, heardMs: 400 });
  } finally {
    await cleanup();
  }
});

/** Resolves true once `count` messages were sent, false if they were not within `ms` of real time. */
async function sentWithin(socket: FakeSocket, count: number, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const sent = await Promise.race([socket.waitForSent(count).then(() => true as const), late]);
  clearTimeout(timer);
  return sent;
}

test('live talk-back is never held back: after a burst from its sender, every frame still goes out when queued', { timeout: 10_000 }, async () => {
  let clock = 1_000_000; // frozen unless moved: a frame held for a later due time would never go out
  const { socket, session, cleanup } = await streaming(16000, { now: () => clock });
  try {
    const frame = (live: boolean) => ({ pcm: new Int16Array(320), sampleRate: 16000, live });
    // Paced (not live), a burst of three: the third waits for its due time, and so would every frame after it.
    for (let i = 0; i < 3; i++) session.play(frame(false));
    assert.equal(await sentWithin(socket, 3, 150), false);
    assert.equal(socket.sent.length, 2);
    session.stopAudio();
    await socket.waitForSent(3); // StopAudio
    clock += 1000; // ACS's queue has long run dry

    // Live: the same burst goes out at once, within play() itself, then frames on their 20 ms schedule each go out
    // as they are queued.
    const before = socket.sent.length;
    for (let i = 0; i < 3; i++) session.play(frame(true));
    assert.equal(socket.sent.length, before + 3);
    for (let i = 1; i <= 5; i++) {
      clock += 20;
      session.play(frame(true));
      assert.equal(socket.sent.length, before + 3 + i, `live frame ${i} after the burst was held back`);
    }
    assert.equal(session.summary().counts.talkBackSkipped, 0);
  } finally {
    await cleanup();
  }
});

test('live talk-back skips frames while ACS holds more than talkBackLiveLeadMs of audio, and counts them', { timeout: 10_000 }, async () => {
  let clock = 1_000_000;
  const { socket, session, hub, cleanup } = await streaming(16000, { now: () => clock, talkBackLiveLeadMs: 100 });
  try {
    // Ten frames at one instant: ACS may hold 100 ms, so frames due at +0 … +100 go out (6) and the rest are skipped.
    const handle = session.play({ pcm: new Int16Array(320 * 10), sampleRate: 16000, live: true });
    assert.equal(handle.sentMs, 120);
    clock += 1000; // played out: done resolves
    assert.deepEqual(await handle.done, { status: 'completed', framesSent: 6, framesSkipped: 4, sentMs: 120, heardMs: 120 });
    assert.equal(audioFrames(socket).length, 6);
    assert.equal(session.summary().counts.talkBackSkipped, 4);
    assert.equal(session.summary().counts.talkBackFrames, 6);
    assert.equal(hub.stats().talkBackSkipped, 4);
  } finally {
    await cleanup();
  }
  assert.throws(() => createMediaHub({ recordingsDir: null, talkBackLiveLeadMs: 5 }), /talkBackLiveLeadMs \(20–1000\)/);
});

test('a bad play source is a clear error', async () => {
  const { dir, session, cleanup } = await streaming(16000);
  try {
    assert.throws(() => session.play({ wav: Buffer.from('not a wav') }), { code: 'ERR_MEDIA_BAD_PLAY_SOURCE' });
    assert.throws(() => session.play({ pcm: new Int16Array(10), sampleRate: 0 }), { code: 'ERR_MEDIA_BAD_PLAY_SOURCE' });
    const result = await session.play({ wavPath: join(dir, 'missing.wav') }).done;
    assert.equal(result.status, 'cancelled');
    assert.equal((result.error as { code?: string }).code, 'ERR_MEDIA_BAD_PLAY_SOURCE');
  } finally {
    await cleanup();
  }
});

test('a playback is cancelled when the socket goes away', async () => {
  const { socket, session, cleanup } = await streaming(16000);
  try {
    const handle = session.play({ pcm: new Int16Array(16000 * 5), sampleRate: 16000 });
    await socket.waitForSent(1);
    socket.conn.closed(1006, 'gone');
    assert.equal((await handle.done).status, 'cancelled');
  } finally {
    await cleanup();
  }
});

test('playout tracking: playedMs advances with the clock, StopAudio goes first, a cut freezes heardMs', { timeout: 10_000 }, async () => {
  let clock = 1_000_000;
  const C = clock;
  const { socket, session, hub, cleanup } = await streaming(16000, { now: () => clock }); // talkBackLeadMs 20
  try {
    const events: Array<[string, PlayoutEvent, string | undefined]> = [];
    const last = () => {
      const m = decodeOutbound(socket.sent[socket.sent.length - 1]);
      return m === 'StopAudio' ? m : 'AudioData';
    };
    session.on('played', (e) => events.push(['played', e, last()]));
    session.on('cut', (e) => events.push(['cut', e, last()]));
    const short = session.play({ pcm: new Int16Array(320 * 3).fill(1), sampleRate: 16000 }); // 60 ms
    const long = session.play({ pcm: new Int16Array(16000).fill(2), sampleRate: 16000 }); // 1 s
    // Frames due at +0 and +20 go out at once (one frame of lead); nothing is heard yet.
    await socket.waitForSent(2);
    assert.equal(short.sentMs, 40);
    assert.equal(short.playedMs, 0);
    clock = C + 10;
    assert.equal(short.playedMs, 10);
    // On time, 20 ms a step: one more frame each step, and the caller hears 20 ms more.
    for (let step = 1; step <= 5; step++) {
      clock = C + 20 * step;
      await socket.waitForSent(2 + step);
    }
    assert.deepEqual(await short.done, { status: 'completed', framesSent: 3, framesSkipped: 0, sentMs: 60, heardMs: 60 });
    assert.equal(long.sentMs, 80); // due at +60 … +120
    assert.equal(long.playedMs, 40); // +60 … +100 heard; ACS holds +100 … +140
    clock = C + 110;
    assert.equal(long.playedMs, 50);
    session.stopAudio();
    assert.equal(decodeOutbound(socket.sent[socket.sent.length - 1]), 'StopAudio');
    clock = C + 500; // the cut froze it
    assert.equal(long.playedMs, 50);
    assert.deepEqual(await long.done, { status: 'cancelled', framesSent: 4, framesSkipped: 0, sentMs: 80, heardMs: 50 });
    assert.deepEqual(events, [
      ['played', { playId: short.id, sentMs: 60, heardMs: 60, startTimelineMs: undefined }, 'AudioData'],
      // StopAudio was already on the socket when the cut was reported.
      ['cut', { playId: long.id, sentMs: 80, heardMs: 50, startTimelineMs: undefined }, 'StopAudio'],
    ]);
    // After StopAudio ACS holds nothing: the next playback starts at once.
    const next = session.play({ pcm: new Int16Array(320), sampleRate: 16000 });
    await socket.waitForSent(socket.sent.length + 1);
    clock += 20;
    assert.equal((await next.done).heardMs, 20);
    assert.deepEqual([session.summary().counts.talkBackPlayed, session.summary().counts.talkBackCut], [2, 1]);
    assert.deepEqual([hub.stats().talkBackPlayed, hub.stats().talkBackCut], [2, 1]);
  } finally {
    await cleanup();
  }
});

test('cancel(): a queued playback is cut unheard; a playing one stops sending and what ACS holds still plays out', { timeout: 10_000 }, async () => {
  let clock = 2_000_000;
  const { socket, session, cleanup } = await streaming(16000, { now: () => clock });
  try {
    const cuts: PlayoutEvent[] = [];
    session.on('cut', (e) => cuts.push(e));
    const playing = session.play({ pcm: new Int16Array(16000), sampleRate: 16000 });
    const queued = session.play({ pcm: new Int16Array(16000), sampleRate: 16000 });
    await socket.waitForSent(2);
    queued.cancel();
    assert.deepEqual(await queued.done, { status: 'cancelled', framesSent: 0, framesSkipped: 0, sentMs: 0, heardMs: 0 });
    playing.cancel();
    assert.equal(playing.playedMs, 0);
    clock += 40; // no StopAudio: the two frames sent play out
    const result = await playing.done;
    assert.deepEqual(result, { status: 'cancelled', framesSent: 2, framesSkipped: 0, sentMs: 40, heardMs: 40 });
    assert.deepEqual(cuts.map((c) => [c.playId, c.heardMs]), [[queued.id, 0], [playing.id, 40]]);
    assert.equal(socket.sent.length, 2);
  } finally {
    await cleanup();
  }
});
