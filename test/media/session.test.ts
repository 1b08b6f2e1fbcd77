import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createMediaHub } from '../../src/media/index.js';
import { serializePacket } from '../../src/protocol/index.js';
import { audio, connect, ended, filesOf, frameOf, frameValues, makeHub, metadata, nextSession, wav } from './harness.js';
import { waitUntil } from '../wait-until.js';

test('packets before AudioMetadata are rejected and counted by reason', async () => {
  const { hub, cleanup } = await makeHub();
  try {
    const socket = connect(hub);
    socket.push(audio(0, frameOf(1)));
    socket.push(serializePacket({ kind: 'DtmfData', tone: '5', data: '5', timestamp: undefined, timestampMs: undefined, participantRawID: undefined }));
    const started = nextSession(hub);
    socket.push(metadata('sub-early'));
    const session = await started;
    socket.push(audio(0, frameOf(1)));
    socket.conn.closed(1000, '');
    const summary = await ended(session);
    assert.equal(summary.counts.rejected, 2);
    assert.equal(summary.counts.framesReceived, 1);
    assert.equal(hub.stats().rejectsByReason.before_metadata, 2);
  } finally {
    await cleanup();
  }
});

test('malformed packets are counted while good frames still land', async () => {
  const { hub, cleanup } = await makeHub();
  try {
    const socket = connect(hub);
    const started = nextSession(hub);
    socket.push(metadata('sub-malformed'));
    const session = await started;
    socket.push(audio(0, frameOf(1)));
    socket.push('{"kind":"AudioData","audioData":{');
    socket.push(audio(20, new Int16Array(100)));
    socket.conn.receive(Buffer.from([1, 2, 3]), true);
    socket.push('{"kind":"NewKind","newKind":{}}');
    socket.push(audio(40, frameOf(3)));
    socket.conn.closed(1000, '');
    const summary = await ended(session);
    const stats = hub.stats();
    assert.equal(summary.counts.rejected, 4);
    assert.equal(stats.rejectsByReason.not_text, 1);
    assert.equal(Object.values(stats.rejectsByReason).reduce((a, b) => a + b, 0), 4);
    assert.equal(stats.framesByKind.AudioData, 2);
    const mixed = await wav(join(summary.recordingDir as string, 'mixed.wav'));
    assert.deepEqual(frameValues(mixed.samples, 320), [1, 0, 3]);
  } finally {
    await cleanup();
  }
});

test('a reconnect with the same subscriptionId continues the session and its files, the outage filled with silence', async () => {
  const { hub, cleanup } = await makeHub();
  try {
    const first = connect(hub);
    const started = nextSession(hub);
    first.push(metadata('sub-reconnect'));
    const session = await started;
    const states: string[] = [];
    session.on('state', (s) => states.push(s));
    for (let i = 0; i < 5; i++) first.push(audio(i * 20, frameOf(1)));
    first.conn.closed(1006, 'network');
    assert.equal(session.state, 'interrupted');
    let newSessions = 0;
    hub.on('session', () => newSessions++);
    const second = connect(hub);
    second.push(metadata('sub-reconnect'));
    for (let i = 15; i < 20; i++) second.push(audio(i * 20, frameOf(2)));
    assert.equal(session.state, 'streaming');
    second.conn.closed(1000, '');
    const summary = await ended(session);
    assert.equal(newSessions, 0);
    assert.deepEqual(states, ['interrupted', 'streaming', 'ended']);
    assert.equal(summary.counts.connections, 2);
    assert.equal(summary.counts.gapsFilled, 10);
    assert.deepEqual(await filesOf(summary), ['mixed.wav', 'session.json']);
    const mixed = await wav(join(summary.recordingDir as string, 'mixed.wav'));
    assert.deepEqual(frameValues(mixed.samples, 320), [...Array(5).fill(1), ...Array(10).fill(0), ...Array(5).fill(2)]);
    assert.equal(hub.sessions().length, 1);
  } finally {
    await cleanup();
  }
});

test('an interrupted session ends when no reconnect comes within the grace period', async () => {
  const { hub, cleanup } = await makeHub({ reconnectGraceMs: 30 });
  try {
    const socket = connect(hub);
    const started = nextSession(hub);
    socket.push(metadata('sub-grace'));
    const session = await started;
    socket.push(audio(0, frameOf(1)));
    socket.conn.closed(1006, '');
    assert.equal(session.state, 'interrupted');
    const summary = await ended(session);
    assert.equal(summary.state, 'ended');
    const json = JSON.parse(await readFile(join(summary.recordingDir as string, 'session.json'), 'utf8'));
    assert.match(json.endReason, /not reconnected/);
  } finally {
    await cleanup();
  }
});

test('a normal close (1000) ends the session at once', async () => {
  const { hub, cleanup } = await makeHub();
  try {
    const socket = connect(hub);
    const started = nextSession(hub);
    socket.push(metadata('sub-normal'));
    const session = await started;
    socket.conn.closed(1000, 'bye');
    assert.equal((await ended(session)).state, 'ended');
    assert.equal(hub.stats().sessionsActive, 0);
  } finally {
    await cleanup();
  }
});

test('a throwing audio handler does not stop recording or other handlers', async () => {
  const { hub, cleanup } = await makeHub();
  try {
    const socket = connect(hub);
    const started = nextSession(hub);
    socket.push(metadata('sub-throw'));
    const session = await started;
    let seen = 0;
    session.on('audio', () => {
      throw new Error('app bug');
    });
    session.on('audio', () => seen++);
    for (let i = 0; i < 5; i++) socket.push(audio(i * 20, frameOf(i + 1)));
    socket.conn.closed(1000, '');
    const summary = await ended(session);
    assert.equal(seen, 5);
    const mixed = await wav(join(summary.recordingDir as string, 'mixed.wav'));
    assert.deepEqual(frameValues(mixed.samples, 320), [1, 2, 3, 4, 5]);
    const json = JSON.parse(await readFile(join(summary.recordingDir as string, 'session.json'), 'utf8'));
    assert.equal(json.listenerErrors, 5);
  } finally {
    await cleanup();
  }
});

test('app audio events carry the track, timeline position, level and filled flag', async () => {
  const { hub, cleanup } = await makeHub({ recordingsDir: null });
  try {
    const socket = connect(hub);
    const started = nextSession(hub);
    socket.push(metadata('sub-events'));
    const session = await started;
    const frames: Array<{ trackId: string; timelineMs: number; filled: boolean; level: number }> = [];
    session.on('audio', (f) => frames.push({ trackId: f.trackId, timelineMs: f.timelineMs, filled: f.filled, level: f.levelDbfs }));
    socket.push(audio(0, frameOf(16384)));
    socket.push(audio(40, frameOf(16384)));
    socket.conn.closed(1000, '');
    await ended(session);
    assert.deepEqual(
      frames.map((f) => [f.trackId, f.timelineMs, f.filled]),
      [['mixed', 0, false], ['mixed', 20, true], ['mixed', 40, false]],
    );
    assert.ok(Math.abs(frames[0].level - -6.02) < 0.01);
    assert.equal(frames[1].level, -Infinity);
  } finally {
    await cleanup();
  }
});

test('transcripts (bigint ticks as strings), DTMF and call events land in the session folder', async () => {
  const { hub, cleanup } = await makeHub();
  try {
    hub.recordCallEvent({ type: 'CallConnected', callConnectionId: 'call-1', subscriptionId: 'sub-jsonl', data: { a: 1 } });
    const socket = connect(hub);
    const started = nextSession(hub);
    socket.push(metadata('sub-jsonl'));
    const session = await started;
    assert.equal(session.callConnectionId, 'call-1');
    const tones: string[] = [];
    session.on('dtmf', (p) => tones.push(p.tone));
    socket.push(serializePacket({ kind: 'DtmfData', tone: '7', data: '7', timestamp: undefined, timestampMs: undefined, participantRawID: undefined }));
    socket.push(
      serializePacket({
        kind: 'TranscriptionData',
        text: 'Hello',
        format: 'display',
        confidence: undefined,
        offsetTicks: 2500000000000000001n,
        durationTicks: undefined,
        words: [],
        participantRawID: '4:+1',
        resultStatus: 'Final',
        extra: {},
      }),
    );
    hub.recordCallEvent({ type: 'MediaStreamingStarted', callConnectionId: 'call-1', data: { b: 2 } });
    socket.conn.closed(1000, '');
    const summary = await ended(session);
    assert.deepEqual(tones, ['7']);
    assert.equal(summary.counts.dtmf, 1);
    assert.equal(summary.counts.transcripts, 1);
    const dir = summary.recordingDir as string;
    const events = (await readFile(join(dir, 'events.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(events.map((e) => e.type), ['CallConnected', 'DtmfData', 'MediaStreamingStarted']);
    const transcript = JSON.parse((await readFile(join(dir, 'transcript.jsonl'), 'utf8')).trim());
    assert.equal(transcript.offsetTicks, '2500000000000000001');
    assert.equal(transcript.resultStatus, 'Final');
    const json = JSON.parse(await readFile(join(dir, 'session.json'), 'utf8'));
    assert.equal(json.callConnectionId, 'call-1');
    assert.equal(json.subscriptionId, 'sub-jsonl');
  } finally {
    await cleanup();
  }
});

test('past the recording memory bound frames are dropped, counted, and become silence in the WAV', async () => {
  // Room for three 640-byte frames; nothing reaches disk before close because the flush timer is slow.
  const { hub, cleanup } = await makeHub({ maxRecordingQueueBytes: 3 * 640, flushIntervalMs: 60_000 });
  try {
    const socket = connect(hub);
    const started = nextSession(hub);
    socket.push(metadata('sub-bound'));
    const session = await started;
    for (let i = 0; i < 10; i++) socket.push(audio(i * 20, frameOf(i + 1)));
    assert.equal(session.summary().counts.recordingDropped, 7);
    assert.equal(hub.stats().recordingDroppedFrames, 7);
    socket.conn.closed(1000, '');
    const summary = await ended(session);
    assert.equal(summary.counts.recordingDropped, 7);
    const mixed = await wav(join(summary.recordingDir as string, 'mixed.wav'));
    assert.deepEqual(frameValues(mixed.samples, 320), [1, 2, 3, 0, 0, 0, 0, 0, 0, 0]);
    const json = JSON.parse(await readFile(join(summary.recordingDir as string, 'session.json'), 'utf8'));
    assert.equal(json.recordingIncomplete, true);
  } finally {
    await cleanup();
  }
});

/** A WAV the session has not created yet reads as empty; any other failure (a damaged header) is thrown. */
function notYetCreated(err: NodeJS.ErrnoException): { samples: Int16Array } {
  if (err.code === 'ENOENT') return { samples: new Int16Array(0) };
  throw err;
}

test('WAVs are valid on disk while the session still runs, and the header catches up within 5 flushes', async () => {
  const { hub, cleanup } = await makeHub({ flushIntervalMs: 20 });
  try {
    const socket = connect(hub);
    const started = nextSession(hub);
    socket.push(metadata('sub-flush'));
    const session = await started;
    for (let i = 0; i < 5; i++) socket.push(audio(i * 20, frameOf(7)));
    const path = join(session.summary().recordingDir as string, 'mixed.wav');
    let flushes = 0;
    let frames: number[] = [];
    // Every read is a strictly valid WAV; the header's sizes are rewritten on every 5th flush.
    await waitUntil(
      async () => {
        const latencies = hub.stats().drainWriteLatenciesMs();
        flushes += latencies.length;
        if (latencies.length > 0) frames = frameValues((await wav(path).catch(notYetCreated)).samples, 320);
        return frames.length >= 5 || flushes >= 10;
      },
      { message: () => `five frames in mixed.wav (${frames.length} after ${flushes} flushes)` },
    );
    assert.deepEqual(frames, [7, 7, 7, 7, 7], `after ${flushes} flushes`);
    assert.equal(session.state, 'streaming');
  } finally {
    await cleanup();
  }
});

test('close() ends every session, leaves valid WAVs and session.json, and is idempotent', async () => {
  const { hub, dir, cleanup } = await makeHub();
  try {
    const sockets = [connect(hub), connect(hub)];
    const sessions = [];
    for (const [i, socket] of sockets.entries()) {
      const started = nextSession(hub);
      socket.push(metadata(`sub-close-${i}`, i === 0 ? 16000 : 24000));
      sessions.push(await started);
      socket.push(audio(0, frameOf(3, i === 0 ? 16000 : 24000)));
    }
    await Promise.all([hub.close(), hub.close()]);
    await hub.close();
    assert.ok(sockets.every((s) => !s.open));
    for (const session of sessions) {
      const summary = session.summary();
      assert.equal(summary.state, 'ended');
      assert.ok((summary.recordingDir as string).startsWith(dir));
      const json = JSON.parse(await readFile(join(summary.recordingDir as string, 'session.json'), 'utf8'));
      assert.equal(json.state, 'ended');
      const mixed = await wav(join(summary.recordingDir as string, 'mixed.wav'));
      assert.equal(mixed.samples[0], 3);
    }
  } finally {
    await cleanup();
  }
});

test('the recording folder is <recordingsDir>/<YYYY-MM-DD>/<session id>', async () => {
  const now = () => Date.parse('2030-01-02T03:04:05Z');
  const { hub, dir, cleanup } = await makeHub({ now, createId: () => 'session-fixed' });
  try {
    const socket = connect(hub);
    const started = nextSession(hub);
    socket.push(metadata('sub-folder'));
    const session = await started;
    assert.equal(session.summary().recordingDir, join(dir, '2030-01-02', 'session-fixed'));
  } finally {
    await cleanup();
  }
});

test('two sessions never share an ID or a recording folder: a taken ID gets -2, -3 (also after the first ended)', async () => {
  const { hub, dir, cleanup } = await makeHub({ createId: () => 'dup' });
  try {
    const first = connect(hub);
    const second = connect(hub);
    first.push(metadata('sub-dup-1'));
    second.push(metadata('sub-dup-2'));
    assert.deepEqual(hub.sessions().map((s) => s.id), ['dup', 'dup-2']);
    assert.equal(hub.stats().sessionsActive, 2);
    const [a, b] = hub.sessions();
    const endedA = ended(a);
    first.conn.closed(1000, '');
    await endedA;
    // The ended session still owns its folder: a third connection does not take its ID either.
    connect(hub).push(metadata('sub-dup-3'));
    assert.deepEqual(hub.sessions().map((s) => s.id).sort(), ['dup', 'dup-2', 'dup-3']);
    assert.equal(basename(b.summary().recordingDir as string), 'dup-2');
    assert.ok((b.summary().recordingDir as string).startsWith(dir));
  } finally {
    await cleanup();
  }
});

test('play before metadata and on a closed socket throws errors with stable codes', async () => {
  const { hub, cleanup } = await makeHub();
  try {
    const socket = connect(hub);
    const provisional = hub.sessions()[0];
    assert.throws(() => provisional.play({ pcm: new Int16Array(320), sampleRate: 16000 }), { code: 'ERR_MEDIA_NOT_READY' });
    const started = nextSession(hub);
    socket.push(metadata('sub-play-closed'));
    const session = await started;
    socket.conn.closed(1006, '');
    assert.throws(() => session.play({ pcm: new Int16Array(320), sampleRate: 16000 }), { code: 'ERR_MEDIA_CONNECTION_CLOSED' });
  } finally {
    await cleanup();
  }
});

test('a recording folder that cannot be made costs only the recording: counted by reason, retried, app audio events go on', async () => {
  // recordingsDir is a regular file: the session folder cannot be created.
  const file = join(await mkdtemp(join(tmpdir(), 'media-broken-')), 'not-a-folder');
  await writeFile(file, 'not a folder');
  const hub = createMediaHub({ recordingsDir: file, flushIntervalMs: 10 });
  try {
    const socket = connect(hub);
    const started = nextSession(hub);
    socket.push(metadata('sub-broken'));
    const session = await started;
    let audioEvents = 0;
    session.on('audio', () => audioEvents++);
    let sinkErrors = 0;
    session.on('sinkError', () => sinkErrors++);
    for (let i = 0; i < 50; i++) socket.push(audio(i * 20, frameOf(1)));
    const failures = () => hub.stats().recordingFailures.folder_missing ?? 0;
    await waitUntil(() => failures() >= 2, { message: 'the folder to be tried again on a later flush' });
    assert.equal(audioEvents, 50);
    socket.conn.closed(1000, '');
    const summary = await ended(session);
    assert.equal(summary.state, 'ended');
    assert.equal(summary.counts.recordingDropped, 50, 'every frame is counted as lost');
    assert.equal(sinkErrors, 0, 'the recorder stays attached (it would resume if the folder could be made)');
  } finally {
    await hub.close();
    await rm(dirname(file), { recursive: true, force: true });
  }
});

test("a transcription socket of the same call feeds the audio session's transcript.jsonl", async () => {
  const { hub, cleanup } = await makeHub();
  try {
    const media = connect(hub, '/ws', { 'x-ms-call-connection-id': 'call-77' });
    const started = nextSession(hub);
    media.push(metadata('sub-media-77'));
    const session = await started;
    const texts: string[] = [];
    session.on('transcript', (p) => texts.push(p.text));
    const transcription = connect(hub, '/ws/transcription');
    transcription.push(
      serializePacket({
        kind: 'TranscriptionMetadata',
        subscriptionId: 'sub-transcription-77',
        locale: 'en-US',
        callConnectionId: 'call-77',
        correlationId: undefined,
        speechRecognitionModelEndpointId: undefined,
        extra: {},
      }),
    );
    transcription.push(
      serializePacket({
        kind: 'TranscriptionData',
        text: 'Hello everyone.',
        format: 'display',
        confidence: 0.9,
        offsetTicks: 212483227n,
        durationTicks: 9600000n,
        words: [],
        participantRawID: '4:+1',
        resultStatus: 'Intermediate',
        extra: {},
      }),
    );
    transcription.conn.closed(1000, '');
    media.conn.closed(1000, '');
    const summary = await ended(session);
    assert.deepEqual(texts, ['Hello everyone.']);
    assert.equal(summary.callConnectionId, 'call-77');
    assert.equal(hub.sessions().length, 1);
    const line = JSON.parse((await readFile(join(summary.recordingDir as string, 'transcript.jsonl'), 'utf8')).trim());
    assert.equal(line.resultStatus, 'Intermediate');
    assert.equal(line.offsetTicks, '212483227');
  } finally {
    await cleanup();
  }
});

test('a call event after the session ended (CallDisconnected) still reaches events.jsonl', async () => {
  const { hub, cleanup } = await makeHub();
  try {
    const socket = connect(hub);
    const started = nextSession(hub);
    socket.push(metadata('sub-late-event'));
    const session = await started;
    hub.recordCallEvent({ type: 'CallConnected', callConnectionId: 'call-late', subscriptionId: 'sub-late-event', data: {} });
    socket.conn.closed(1000, 'bye');
    const summary = await ended(session);
    hub.recordCallEvent({ type: 'CallDisconnected', callConnectionId: 'call-late', data: {} });
    const path = join(summary.recordingDir!, 'events.jsonl');
    let types: string[] = [];
    await waitUntil(
      async () => {
        types = (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l).type);
        return types.includes('CallDisconnected');
      },
      { message: () => `CallDisconnected in events.jsonl (seen: ${types.join(', ')})` },
    );
    assert.deepEqual(types, ['CallConnected', 'CallDisconnected']);
  } finally {
    await cleanup();
  }
});
