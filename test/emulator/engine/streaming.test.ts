import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamingData } from '@azure/communication-call-automation';
import { createMediaEngine, loadFixture } from '../../../src/emulator/engine/index.js';
import { makeSpec, recordEvents, samplesOf, startRecordingServer, unwrap } from './recording-server.js';
import { waitUntil } from '../../wait-until.js';

const SPEED = 10;

test('a two-second mixed stream delivers metadata first, then exactly 100 frames, then closes with 1000', async (t) => {
  const server = await startRecordingServer();
  t.after(() => server.close());
  const engine = createMediaEngine({ speed: SPEED });
  t.after(() => engine.close());
  const events = recordEvents();
  engine.start(makeSpec(server.url, { scenario: { durationMs: 2000, participants: [] } }), events);
  const connection = await server.connection(0);
  assert.equal(await connection.closed, 1000);
  await events.when('ended');

  const packets = connection.messages.map(unwrap);
  assert.deepEqual(packets[0], {
    kind: 'AudioMetadata',
    body: { subscriptionId: 'sub-1', encoding: 'PCM', sampleRate: 16000, channels: 1, length: 640 },
  });
  const frames = packets.slice(1);
  assert.equal(frames.length, 100);
  for (const frame of frames) {
    assert.equal(frame.kind, 'AudioData');
    assert.equal(frame.body.participantRawID, undefined);
    assert.equal(samplesOf(frame.body).length, 320);
  }
  assert.deepEqual(events.names, ['connected', 'hangupRequested', 'ended']);
  await engine.close();
  await server.close();
});

test('an unmixed stream sends every participant 50 frames a second, tagged with its raw ID', async (t) => {
  const server = await startRecordingServer();
  t.after(() => server.close());
  const engine = createMediaEngine({ speed: SPEED });
  t.after(() => engine.close());
  const speaker = '8:acs:resource_speaker';
  const quiet = '4:+15557654321';
  const spec = makeSpec(server.url, {
    channel: 'unmixed',
    scenario: {
      durationMs: 1000,
      participants: [
        { rawId: speaker, steps: [{ atMs: 0, say: { type: 'tone', frequencyHz: 440 } }] },
        { rawId: quiet, steps: [{ atMs: 0, say: { type: 'silence' } }] },
      ],
    },
  });
  const stream = engine.start(spec, recordEvents());
  const connection = await server.connection(0);
  await connection.closed;

  const frames = connection.messages.slice(1).map(unwrap);
  const of = (rawId: string) => frames.filter((frame) => frame.body.participantRawID === rawId);
  assert.equal(of(speaker).length, 50);
  assert.equal(of(quiet).length, 50);
  assert.ok(of(speaker).every((frame) => frame.body.silent === false));
  assert.ok(of(quiet).every((frame) => frame.body.silent === true));
  assert.deepEqual(stream.stats().framesSent, { [speaker]: 50, [quiet]: 50 });
  await engine.close();
  await server.close();
});

test('timestamps step by exactly 20 ms from the call clock, whatever the pacing', async (t) => {
  const server = await startRecordingServer();
  t.after(() => server.close());
  const start = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
  const engine = createMediaEngine({ speed: SPEED, now: () => start });
  t.after(() => engine.close());
  engine.start(makeSpec(server.url, { scenario: { durationMs: 1000, participants: [] } }), recordEvents());
  const connection = await server.connection(0);
  await connection.closed;

  const stamps = connection.messages.slice(1).map((text) => unwrap(text).body.timestamp as string);
  assert.equal(stamps[0], '2026-01-02T03:04:05.678Z');
  stamps.forEach((stamp, index) => assert.equal(Date.parse(stamp), start + index * 20));
  await engine.close();
  await server.close();
});

test('every packet of an unmixed stream with DTMF parses with the official SDK', async (t) => {
  const server = await startRecordingServer();
  t.after(() => server.close());
  const engine = createMediaEngine({ speed: SPEED });
  t.after(() => engine.close());
  const spec = makeSpec(server.url, {
    channel: 'unmixed',
    dtmf: true,
    scenario: {
      durationMs: 1000,
      participants: [
        { rawId: '4:+15551234567', steps: [{ atMs: 100, dtmf: '1#' }] },
        { rawId: '8:acs:resource_user', steps: [] },
      ],
    },
  });
  engine.start(spec, recordEvents());
  const connection = await server.connection(0);
  await connection.closed;

  const kinds = new Set<string>();
  for (const message of connection.messages) {
    const parsed = StreamingData.parse(message);
    assert.ok(parsed !== undefined);
    kinds.add(StreamingData.getStreamingKind());
  }
  assert.deepEqual([...kinds].sort(), ['AudioData', 'AudioMetadata', 'DtmfData']);
  await engine.close();
  await server.close();
});

test('opens the socket with a bearer token and the call headers, a new token per connection', async (t) => {
  const server = await startRecordingServer();
  t.after(() => server.close());
  const engine = createMediaEngine({ speed: SPEED });
  t.after(() => engine.close());
  let tokens = 0;
  const spec = makeSpec(server.url, {
    callConnectionId: 'call-42',
    correlationId: 'corr-42',
    token: async () => `token-${++tokens}`,
    scenario: { durationMs: 100, participants: [] },
  });
  engine.start(spec, recordEvents());
  const connection = await server.connection(0);
  await connection.closed;

  assert.equal(connection.headers.authorization, 'Bearer token-1');
  assert.equal(connection.headers['x-ms-call-connection-id'], 'call-42');
  assert.equal(connection.headers['x-ms-call-correlation-id'], 'corr-42');
  await engine.close();
  await server.close();
});

test('a participant without steps speaks a bundled fixture after half a second of silence', async (t) => {
  const server = await startRecordingServer();
  t.after(() => server.close());
  const engine = createMediaEngine({ speed: SPEED });
  t.after(() => engine.close());
  engine.start(
    makeSpec(server.url, {
      channel: 'unmixed',
      scenario: { durationMs: 1500, participants: [{ rawId: '4:+15551234567', steps: [] }] },
    }),
    recordEvents(),
  );
  const connection = await server.connection(0);
  await connection.closed;

  const frames = connection.messages.slice(1).map(unwrap);
  const pcm = frames.map((frame) => samplesOf(frame.body));
  assert.ok(frames.slice(0, 25).every((frame) => frame.body.silent === true));
  const fixture = await loadFixture('en-gb-female');
  const spoken = Int16Array.from(pcm.slice(25).flatMap((samples) => [...samples]));
  assert.deepEqual(spoken, fixture.samples.subarray(0, spoken.length));
  await engine.close();
  await server.close();
});

test('with unmixedSilentFrames "omit" only frames with sound are sent', async (t) => {
  const server = await startRecordingServer();
  t.after(() => server.close());
  const engine = createMediaEngine({ speed: SPEED, unmixedSilentFrames: 'omit' });
  t.after(() => engine.close());
  const spec = makeSpec(server.url, {
    channel: 'unmixed',
    scenario: {
      durationMs: 1000,
      participants: [
        { rawId: 'a', steps: [{ atMs: 200, say: { type: 'tone', frequencyHz: 300, durationMs: 400 } }] },
        { rawId: 'b', steps: [{ atMs: 0, say: { type: 'silence' } }] },
      ],
    },
  });
  engine.start(spec, recordEvents());
  const connection = await server.connection(0);
  await connection.closed;

  const frames = connection.messages.slice(1).map(unwrap);
  assert.equal(frames.length, 20);
  assert.ok(frames.every((frame) => frame.body.participantRawID === 'a' && frame.body.silent === false));
  await engine.close();
  await server.close();
});

test('a 24 kHz call announces 960-byte frames and sends 480 samples each', async (t) => {
  const server = await startRecordingServer();
  t.after(() => server.close());
  const engine = createMediaEngine({ speed: SPEED });
  t.after(() => engine.close());
  engine.start(
    makeSpec(server.url, { sampleRate: 24000, scenario: { durationMs: 200, participants: [] } }),
    recordEvents(),
  );
  const connection = await server.connection(0);
  await connection.closed;

  const [metadata, ...frames] = connection.messages.map(unwrap);
  assert.equal(metadata.body.sampleRate, 24000);
  assert.equal(metadata.body.length, 960);
  assert.equal(frames.length, 10);
  assert.ok(frames.every((frame) => samplesOf(frame.body).length === 480));
  await engine.close();
  await server.close();
});

test('stop() sends nothing more, closes the socket with 1000 and reports ended', async (t) => {
  const server = await startRecordingServer();
  t.after(() => server.close());
  const engine = createMediaEngine({ speed: SPEED });
  t.after(() => engine.close());
  const events = recordEvents();
  const stream = engine.start(makeSpec(server.url), events);
  const connection = await server.connection(0);
  await waitUntil(() => connection.messages.length >= 11, { intervalMs: 0, message: 'eleven packets' });
  await stream.stop();

  assert.equal(await connection.closed, 1000);
  const sent = stream.stats().framesSent.mixed;
  assert.equal(connection.messages.length, sent + 1);
  assert.deepEqual(events.names, ['connected', 'ended']);
  await engine.close();
  await server.close();
});

test('two streams share one scheduler and each gets all its frames', async (t) => {
  const server = await startRecordingServer();
  t.after(() => server.close());
  const engine = createMediaEngine({ speed: SPEED });
  t.after(() => engine.close());
  engine.start(makeSpec(server.url, { callConnectionId: 'a', scenario: { durationMs: 600, participants: [] } }), recordEvents());
  engine.start(makeSpec(server.url, { callConnectionId: 'b', scenario: { durationMs: 400, participants: [] } }), recordEvents());
  const [first, second] = [await server.connection(0), await server.connection(1)];
  await Promise.all([first.closed, second.closed]);

  const counts = [first, second]
    .map((connection) => [connection.headers['x-ms-call-connection-id'], connection.messages.length - 1])
    .sort();
  assert.deepEqual(counts, [['a', 30], ['b', 20]]);
  assert.ok(engine.stats().pacing.count >= 50);
  await engine.close();
  await server.close();
});

test('a listener that stops the stream as soon as it connects leaves nothing paced', async (t) => {
  const server = await startRecordingServer();
  t.after(() => server.close());
  const engine = createMediaEngine({ speed: SPEED });
  t.after(() => engine.close());
  let stopping: Promise<void> | undefined;
  const events = recordEvents({ connected: () => void (stopping = stream.stop()) });
  const stream = engine.start(makeSpec(server.url), events);
  await events.when('ended');
  await stopping;

  assert.equal(engine.stats().streams, 0);
  assert.equal(stream.stats().framesSent.mixed, 0);
  await engine.close();
  await server.close();
});
