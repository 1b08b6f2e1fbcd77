import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamingData } from '@azure/communication-call-automation';
import {
  DTMF_SPACING_MS,
  FINAL_CONFIDENCE,
  createMediaEngine,
  loadFixture,
} from '../../../src/emulator/engine/index.js';
import { makeSpec, recordEvents, startRecordingServer, unwrap } from './recording-server.js';

const SPEED = 10;

test('DTMF steps arrive as DtmfData at their time, one packet per key, with who pressed them', async (t) => {
  const server = await startRecordingServer();
  t.after(() => server.close());
  const start = Date.UTC(2026, 0, 1);
  const engine = createMediaEngine({ speed: SPEED, now: () => start });
  t.after(() => engine.close());
  const spec = makeSpec(server.url, {
    dtmf: true,
    scenario: { durationMs: 1000, participants: [{ rawId: '4:+15551234567', steps: [{ atMs: 200, dtmf: '5*' }] }] },
  });
  const stream = engine.start(spec, recordEvents());
  const connection = await server.connection(0);
  await connection.closed;

  const dtmf = connection.messages.map(unwrap).filter((packet) => packet.kind === 'DtmfData');
  assert.deepEqual(dtmf, [
    {
      kind: 'DtmfData',
      body: { data: '5', timestamp: new Date(start + 200).toISOString(), participantRawID: '4:+15551234567' },
    },
    {
      kind: 'DtmfData',
      body: {
        data: '*',
        timestamp: new Date(start + 200 + DTMF_SPACING_MS).toISOString(),
        participantRawID: '4:+15551234567',
      },
    },
  ]);
  assert.equal(stream.stats().dtmfSent, 2);
  await engine.close();
  await server.close();
});

test('DTMF steps are not sent when the call did not enable DTMF tones', async (t) => {
  const server = await startRecordingServer();
  t.after(() => server.close());
  const engine = createMediaEngine({ speed: SPEED });
  t.after(() => engine.close());
  const spec = makeSpec(server.url, {
    dtmf: false,
    scenario: { durationMs: 400, participants: [{ rawId: '4:+15551234567', steps: [{ atMs: 0, dtmf: '1' }] }] },
  });
  engine.start(spec, recordEvents());
  const connection = await server.connection(0);
  await connection.closed;

  assert.equal(connection.messages.map(unwrap).filter((packet) => packet.kind === 'DtmfData').length, 0);
  assert.equal(connection.messages.length, 21);
  await engine.close();
  await server.close();
});

test('transcription goes on its own socket: metadata, intermediate results, then the final with timed words', async (t) => {
  const media = await startRecordingServer();
  const transcripts = await startRecordingServer();
  const engine = createMediaEngine({ speed: SPEED });
  t.after(() => engine.close());
  const rawId = '4:+15551234567';
  const spec = makeSpec(media.url, {
    transcription: { transportUrl: transcripts.url, locale: 'en-US', subscriptionId: 'tsub-1', intermediateResults: true },
    scenario: {
      durationMs: 4000,
      participants: [{ rawId, steps: [{ atMs: 500, say: { type: 'fixture', name: 'en-us-male' } }] }],
    },
  });
  const stream = engine.start(spec, recordEvents());
  const socket = await transcripts.connection(0);
  await socket.closed;

  const packets = socket.messages.map(unwrap);
  assert.deepEqual(packets[0], {
    kind: 'TranscriptionMetadata',
    body: { subscriptionId: 'tsub-1', locale: 'en-US', callConnectionId: 'call-1', correlationId: 'corr-1' },
  });
  const results = packets.slice(1).map((packet) => packet.body);
  const fixture = await loadFixture('en-us-male');
  const words = fixture.transcript.words;
  assert.equal(results.length, words.length);
  assert.deepEqual(
    results.map((result) => result.resultStatus),
    [...Array(words.length - 1).fill('Intermediate'), 'Final'],
  );
  assert.equal(results[0].text, words[0].text);
  const final = results[results.length - 1];
  assert.equal(final.text, fixture.transcript.text);
  assert.equal(final.confidence, FINAL_CONFIDENCE);
  assert.equal(final.participantRawID, rawId);
  assert.deepEqual(
    final.words,
    words.map((word) => ({ text: word.text, offset: 500 * 10_000 + word.offsetTicks, duration: word.durationTicks })),
  );
  assert.equal(final.offset, 500 * 10_000 + words[0].offsetTicks);
  for (const message of socket.messages) StreamingData.parse(message);
  assert.equal(stream.stats().transcriptionPacketsSent, words.length);
  assert.equal(socket.headers.authorization, 'Bearer test-token');
  await engine.close();
  await media.close();
  await transcripts.close();
});

test('without intermediate results only final results are sent', async (t) => {
  const media = await startRecordingServer();
  const transcripts = await startRecordingServer();
  const engine = createMediaEngine({ speed: SPEED });
  t.after(() => engine.close());
  const spec = makeSpec(media.url, {
    transcription: { transportUrl: transcripts.url, locale: 'en-GB', subscriptionId: 't', intermediateResults: false },
    scenario: { durationMs: 4000, participants: [{ rawId: 'a', steps: [{ atMs: 0, say: { type: 'fixture', name: 'en-gb-male' } }] }] },
  });
  engine.start(spec, recordEvents());
  const socket = await transcripts.connection(0);
  await socket.closed;

  const statuses = socket.messages.slice(1).map((text) => unwrap(text).body.resultStatus);
  assert.deepEqual(statuses, ['Final']);
  await engine.close();
  await media.close();
  await transcripts.close();
});
