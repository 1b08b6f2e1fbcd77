// The talk-back track: what the app played, as the caller heard it, on the session timeline (talk-back.wav, mixdown.wav,
// 'audio' with talkBack: true, a participant in the summary), cut where StopAudio cut it. Real files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AudioFrame, MediaSession, PlayoutEvent } from '../../src/media/index.js';
import { audio, connect, ended, filesOf, frameOf, makeHub, metadata, nextSession, wav } from './harness.js';

test('play 1 s, StopAudio after 400 ms: talk-back.wav holds the 400 ms heard, where it was heard, and mixdown.wav has it', { timeout: 20_000 }, async (t) => {
  let clock = 5_000_000;
  const C = clock;
  const { hub, cleanup } = await makeHub({ now: () => clock });
  t.after(cleanup);
  const socket = connect(hub);
  const started = nextSession(hub);
  socket.push(metadata('sub-talk-track', 16000));
  const session: MediaSession = await started;
  const caller = '4:+15551234567';
  const talkBackFlags = new Map<string, boolean>();
  session.on('audio', (f: AudioFrame) => talkBackFlags.set(f.trackId, f.talkBack));
  const cuts: PlayoutEvent[] = [];
  session.on('cut', (e) => cuts.push(e));
  // The caller's audio arrives in real time by the hub clock: slot k at C + 20 k.
  let k = 0;
  const inbound = () => {
    clock = C + 20 * k;
    socket.push(audio(20 * k, frameOf(100), caller));
    k++;
  };
  while (k <= 10) inbound();
  clock = C + 200;
  const handle = session.play({ pcm: new Int16Array(16000).fill(5000), sampleRate: 16000 }); // 1 s
  await socket.waitForSent(2);
  for (let j = 1; j <= 20; j++) {
    inbound(); // k = 10 + j: clock C + 200 + 20 j
    await socket.waitForSent(2 + j);
  }
  assert.equal(clock, C + 600);
  assert.equal(handle.playedMs, 400);
  session.stopAudio();
  assert.equal((await handle.done).heardMs, 400);
  assert.deepEqual(cuts, [{ playId: handle.id, sentMs: 440, heardMs: 400, startTimelineMs: 200 }]);
  while (k < 50) inbound(); // to 1 s
  const end = ended(session);
  socket.conn.closed(1000, 'done');
  const summary = await end;

  const files = await filesOf(summary);
  assert.ok(files.includes('talk-back.wav') && files.includes('mixdown.wav'), files.join(', '));
  const talk = summary.participants.find((p) => p.trackId === 'talk-back');
  assert.deepEqual(talk && { raw: talk.participantRawId, file: talk.file }, { raw: undefined, file: 'talk-back.wav' });
  assert.deepEqual(Object.fromEntries(talkBackFlags), { '4_+15551234567': false, 'talk-back': true });

  const dir = summary.recordingDir as string;
  const back = await wav(join(dir, 'talk-back.wav'));
  const heard = back.samples.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
  assert.equal(heard, 400 * 16, 'talk-back.wav holds what was heard: 400 ms');
  assert.equal(back.samples.indexOf(5000), 200 * 16, 'placed where it was heard: timeline 200 ms');
  assert.equal(back.samples[(600 * 16) - 1], 5000);
  assert.equal(back.samples[600 * 16], 0);
  const mix = await wav(join(dir, 'mixdown.wav'));
  assert.equal(mix.samples[100 * 16], 100);
  assert.equal(mix.samples[300 * 16], 5100);
  assert.equal(mix.samples[700 * 16], 100);
});

test('a participant whose raw ID reads "talk-back" never gets the talk-back track id', async (t) => {
  const { hub, cleanup } = await makeHub();
  t.after(cleanup);
  const socket = connect(hub);
  const started = nextSession(hub);
  socket.push(metadata('sub-talk-name', 16000));
  const session = await started;
  socket.push(audio(0, frameOf(1), 'talk-back'));
  const end = ended(session);
  socket.conn.closed(1000, 'done');
  const summary = await end;
  assert.equal(summary.participants.length, 1);
  assert.notEqual(summary.participants[0].trackId, 'talk-back');
});

test('addTranscript: a line with speaker, text and timeline ms in transcript.jsonl, emitted as utterance', async (t) => {
  let clock = 7_000_000;
  const { hub, cleanup } = await makeHub({ now: () => clock });
  t.after(cleanup);
  const socket = connect(hub);
  const started = nextSession(hub);
  socket.push(metadata('sub-utterance', 16000));
  const session = await started;
  const utterances: unknown[] = [];
  session.on('utterance', (u) => utterances.push(u));
  socket.push(audio(0, frameOf(1)));
  clock += 1500;
  session.addTranscript({ speaker: 'caller', text: 'I need help.' }); // now: 1500 ms into the timeline
  session.addTranscript({ speaker: 'agent', text: 'Sure.', timelineMs: 1800 });
  assert.throws(() => session.addTranscript({ speaker: '', text: 'x' }), { code: 'ERR_MEDIA_BAD_TRANSCRIPT' });
  assert.throws(() => session.addTranscript({ speaker: 'agent', text: 'x', timelineMs: -1 }), { code: 'ERR_MEDIA_BAD_TRANSCRIPT' });
  const end = ended(session);
  socket.conn.closed(1000, 'done');
  const summary = await end;
  const lines = (await readFile(join(summary.recordingDir as string, 'transcript.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(lines.map(({ speaker, text, timelineMs }) => ({ speaker, text, timelineMs })), [
    { speaker: 'caller', text: 'I need help.', timelineMs: 1500 },
    { speaker: 'agent', text: 'Sure.', timelineMs: 1800 },
  ]);
  assert.equal(typeof lines[0].receivedAt, 'string');
  assert.deepEqual(utterances, [
    { speaker: 'caller', text: 'I need help.', timelineMs: 1500 },
    { speaker: 'agent', text: 'Sure.', timelineMs: 1800 },
  ]);
});

test('a mixed session with talk-back gets mixdown.wav: mixed.wav and talk-back.wav summed when it ends', { timeout: 20_000 }, async (t) => {
  let clock = 9_000_000;
  const C = clock;
  const { hub, cleanup } = await makeHub({ now: () => clock });
  t.after(cleanup);
  const socket = connect(hub);
  const started = nextSession(hub);
  socket.push(metadata('sub-talk-mixed', 16000));
  const session = await started;
  let k = 0;
  const inbound = () => {
    clock = C + 20 * k;
    socket.push(audio(20 * k, frameOf(100)));
    k++;
  };
  while (k <= 10) inbound();
  const handle = session.play({ pcm: new Int16Array(320 * 5).fill(5000), sampleRate: 16000 }); // 100 ms at 200 ms
  await socket.waitForSent(2);
  for (let j = 1; j <= 5; j++) {
    inbound();
    await socket.waitForSent(Math.min(5, 2 + j));
  }
  inbound();
  assert.equal((await handle.done).heardMs, 100);
  while (k < 30) inbound();
  const end = ended(session);
  socket.conn.closed(1000, 'done');
  const summary = await end;
  const dir = summary.recordingDir as string;
  const files = await filesOf(summary);
  assert.ok(['mixdown.wav', 'mixed.wav', 'talk-back.wav'].every((f) => files.includes(f)), files.join(', '));
  const mix = await wav(join(dir, 'mixdown.wav'));
  const mixed = await wav(join(dir, 'mixed.wav'));
  assert.equal(mix.samples.length, mixed.samples.length);
  assert.equal(mix.samples[100 * 16], 100);
  assert.equal(mix.samples[250 * 16], 5100);
  assert.equal(mix.samples[400 * 16], 100);
  const json = JSON.parse(await readFile(join(dir, 'session.json'), 'utf8')) as { mixFile?: string };
  assert.equal(json.mixFile, 'mixdown.wav');
});

test('the caller\'s frames running a second ahead of the hub clock (ACS catching up): every heard talk-back frame is still recorded', { timeout: 20_000 }, async (t) => {
  let clock = 7_000_000;
  const C = clock;
  const { hub, cleanup } = await makeHub({ now: () => clock });
  t.after(cleanup);
  const socket = connect(hub);
  const started = nextSession(hub);
  socket.push(metadata('sub-talk-ahead', 16000));
  const session: MediaSession = await started;
  const caller = '4:+15551234567';
  let k = 0;
  const push = () => socket.push(audio(20 * k++, frameOf(100), caller));
  // The first frame at C, then a burst: 1 s of frames at once, so the caller's timeline leads the hub clock by 1 s.
  push();
  while (k <= 50) push();
  clock = C + 20;
  const handle = session.play({ pcm: new Int16Array(16000).fill(5000), sampleRate: 16000 }); // 1 s
  await socket.waitForSent(2);
  for (let j = 1; j <= 20; j++) {
    clock = C + 20 + 20 * j;
    push(); // still a second ahead
    await socket.waitForSent(2 + j);
  }
  session.stopAudio();
  const heardMs = (await handle.done).heardMs;
  assert.ok(heardMs >= 380 && heardMs <= 420, `heard ${heardMs} ms`);
  while (k < 150) push();
  const end = ended(session);
  socket.conn.closed(1000, 'done');
  const summary = await end;
  const back = await wav(join(summary.recordingDir as string, 'talk-back.wav'));
  const recorded = back.samples.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
  assert.equal(recorded, heardMs * 16, `talk-back.wav holds all ${heardMs} ms heard (before the fix the frames behind the late window were lost)`);
});
