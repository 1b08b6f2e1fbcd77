// Hostile input over a real socket into a real server: random packet sequences (before metadata, repeated metadata,
// unknown kinds, wrong casing, bad base64, odd byte counts, timestamps backwards or far ahead, huge and path-like
// participant IDs, binary frames, invalid UTF-8, deep JSON) while one well-behaved call streams alongside.
// Checked: the server keeps answering, every message is accepted or rejected with a reason (the hub's ledger adds
// up exactly, message by message), the well-behaved call loses nothing, and every WAV is valid afterwards.
// FUZZ_PACKETS sets the number of generated packets (CI: 100,000; a manual run: FUZZ_PACKETS=1000000).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { WebSocket } from 'ws';
import { formatTimestamp, serializePacket } from '../../src/protocol/index.js';
import { readWav, repairRecordings } from '../../src/audio/index.js';
import { inboundPacket } from '../protocol/arbitraries.js';
import { audio, connect, metadata, sessionEnd, startServer } from './wire.js';
import { waitUntil } from '../wait-until.js';
import type { SessionSummary } from '../../src/server/index.js';

const TARGET_PACKETS = Number(process.env.FUZZ_PACKETS ?? 100_000);
const PER_SEQUENCE = { min: 40, max: 60 };
const T0 = Date.parse('2025-06-01T08:00:00.000Z');

/** A message as it goes on the wire. */
interface WireMessage {
  data: string | Buffer;
  binary: boolean;
}

const text = (data: string): WireMessage => ({ data, binary: false });

const participant = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('4:+15550000001', '8:acs:resource_user-a', '8:acs:resource_user-b') },
  { weight: 1, arbitrary: fc.constantFrom('../../x', '/etc/passwd', 'C:\\Windows\\x', 'a\u0000b', '..', '.', '', '名前:参加者', 'émile🎧') },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 20_000 }).map((n) => 'p'.repeat(n)) },
);

function audioPacket(ms: number, rawId: string | undefined, samples: number, silent = false): string {
  return serializePacket({ kind: 'AudioData', timestamp: formatTimestamp(ms), timestampMs: ms, participantRawID: rawId, silent, samples: new Int16Array(samples).fill(1200) });
}

/** A frame on the 20 ms grid near the sequence's start, at either rate (one of them is always the wrong length). */
const gridFrame = fc
  .record({ slot: fc.integer({ min: -5, max: 200 }), rawId: fc.option(participant, { nil: undefined }), rate: fc.constantFrom(16000, 24000), silent: fc.boolean() })
  .map(({ slot, rawId, rate, silent }) => text(audioPacket(T0 + slot * 20, rawId, rate / 50, silent)));

const farTimestamp = fc
  .constantFrom('9999-12-31T23:59:59.999Z', '1970-01-01T00:00:00Z', '2025-06-01T08:00:00+14:00', '2025-06-01T07:00:00.1234567Z', '2125-06-01T08:00:00Z')
  .map((timestamp) => text(JSON.stringify({ kind: 'AudioData', audioData: { timestamp, participantRawID: null, data: Buffer.alloc(640).toString('base64'), silent: false } })));

const wrongCasing = fc
  .constantFrom('audiodata', 'AUDIODATA', 'audioData', 'Audiodata', 'audiometadata', 'dtmfdata')
  .map((kind) => text(JSON.stringify({ kind, audioData: { timestamp: formatTimestamp(T0), data: Buffer.alloc(640).toString('base64'), silent: false } })));

const badAudioBody = fc
  .constantFrom('!!!!', '====', 'AAA', 'A'.repeat(855), Buffer.alloc(639).toString('base64'), Buffer.alloc(641).toString('base64'), '', 'QUJD\nREVG')
  .map((data) => text(JSON.stringify({ kind: 'AudioData', audioData: { timestamp: formatTimestamp(T0 + 40), participantRawID: '4:+15550000001', data, silent: false } })));

const unknownKind = fc
  .constantFrom('VideoData', 'AudioDataV2', 'StopAudio', 'ParticipantUpdated', '', 'null')
  .map((kind) => text(JSON.stringify({ kind, data: { x: 1 } })));

const garbage = fc.oneof(
  fc.string({ maxLength: 200 }).map(text),
  fc.constantFrom('', 'null', '[]', '{}', '"AudioData"', '{"kind":', '{"kind":"AudioData"}', '{"kind":"AudioData","audioData":null}').map(text),
  fc.integer({ min: 100, max: 5000 }).map((depth) => text('['.repeat(depth) + ']'.repeat(depth))),
);

const binaryFrame = fc.uint8Array({ maxLength: 700 }).map((bytes): WireMessage => ({ data: Buffer.from(bytes), binary: true }));

/** Text frames whose bytes are not UTF-8: a lone continuation byte, a truncated sequence, an overlong encoding. */
const invalidUtf8 = fc
  .tuple(fc.constantFrom([0x80], [0xc3], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff, 0xfe]), fc.nat({ max: 40 }))
  .map(([bad, at]): WireMessage => {
    const good = Buffer.from(audioPacket(T0, '4:+15550000001', 320));
    const cut = Math.min(at, good.length);
    return { data: Buffer.concat([good.subarray(0, cut), Buffer.from(bad), good.subarray(cut)]), binary: false };
  });

const metadataPacket = fc
  .record({ sub: fc.constantFrom('fuzz-a', 'fuzz-b', 'fuzz-c'), rate: fc.constantFrom(16000 as const, 24000 as const) })
  .map(({ sub, rate }) => text(metadata(sub, rate)));

const anyMessage: fc.Arbitrary<WireMessage> = fc.oneof(
  { weight: 10, arbitrary: gridFrame },
  { weight: 2, arbitrary: metadataPacket },
  { weight: 2, arbitrary: inboundPacket.map((p) => text(serializePacket(p))) },
  { weight: 1, arbitrary: farTimestamp },
  { weight: 1, arbitrary: wrongCasing },
  { weight: 1, arbitrary: badAudioBody },
  { weight: 1, arbitrary: unknownKind },
  { weight: 1, arbitrary: garbage },
  { weight: 1, arbitrary: binaryFrame },
  { weight: 1, arbitrary: invalidUtf8 },
);

/** Mostly starts with metadata (so the deep paths are reached), sometimes not. */
const sequence = fc
  .tuple(fc.boolean(), metadataPacket, fc.array(anyMessage, { minLength: PER_SEQUENCE.min, maxLength: PER_SEQUENCE.max, size: 'max' }))
  .map(([withMetadata, first, rest]) => (withMetadata ? [first, ...rest] : rest));

test(`${TARGET_PACKETS} generated packets over real sockets: never a crash, every message accounted for, WAVs valid`, { timeout: 30 * 60_000 }, async () => {
  // The fuzz subscriptions reconnect into each other on purpose; their sessions get a short grace.
  const { server, url, wsUrl, dir } = await startServer({ media: { reconnectGraceMs: 50 }, limits: { idleTimeoutMs: 600_000 } });
  const hub = server.hub;

  // The well-behaved call: one participant at real time for as long as the fuzzing runs.
  const control = await connect(wsUrl, '?call=control');
  control.send(metadata('control-call', 16000));
  let controlSent = 0;
  const controlTimer = setInterval(() => control.send(audio(T0, controlSent++, 16000, '4:+15559990000')), 20);

  await waitUntil(() => hub.sessions().some((s) => s.subscriptionId === 'control-call'), { intervalMs: 0, message: 'the control session' });
  const control0 = hub.sessions().find((s) => s.subscriptionId === 'control-call')!;
  const controlSession = () => control0;
  const controlEnded = new Promise<SessionSummary>((resolve) => control0.once('end', resolve));
  let packets = 0;
  let sequences = 0;
  try {
    const runs = Math.ceil(TARGET_PACKETS / ((PER_SEQUENCE.min + PER_SEQUENCE.max) / 2 - 0.5));
    await fc.assert(
      fc.asyncProperty(sequence, async (messages) => {
        // The control call's frames arrive meanwhile: subtract them to see exactly this sequence's messages.
        const fuzzReceived = () => hub.stats().messages.received - controlSession().summary().counts.framesReceived;
        const before = fuzzReceived();
        const ws = await connect(wsUrl, `?fuzz=${sequences++}`);
        for (const m of messages) ws.send(m.data, { binary: m.binary });
        await waitUntil(() => fuzzReceived() >= before + messages.length, { intervalMs: 0, message: `${messages.length} messages to arrive` });
        ws.close(1000);
        const after = hub.stats().messages;
        assert.equal(fuzzReceived() - before, messages.length, 'every message sent was received');
        assert.equal(after.accepted + after.rejected, after.received, `ledger: accepted ${after.accepted} + rejected ${after.rejected} = received ${after.received}`);
        packets += messages.length;
      }),
      { numRuns: runs, endOnFailure: true },
    ).catch((error: Error) => {
      // fast-check prints the whole counterexample; a few KB of it is enough to reproduce (seed and path are first).
      throw new Error(error.message.slice(0, 4000));
    });
    assert.ok(packets >= TARGET_PACKETS * 0.98, `generated ${packets} packets, wanted about ${TARGET_PACKETS}`);
    assert.equal((await fetch(`${url}/healthz`)).status, 200, 'the server still answers');
  } finally {
    clearInterval(controlTimer);
    control.close(1000);
  }

  // The control call lost nothing to its neighbours' garbage.
  const summary = await controlEnded;
  assert.equal(summary.counts.rejected, 0);
  assert.equal(summary.counts.framesReceived, controlSent);
  assert.equal(summary.counts.gapsFilled, 0);
  const controlWav = readWav(await readFile(join(summary.recordingDir!, summary.participants[0].file!)));
  assert.equal(controlWav.samples.length, controlSent * 320);

  await server.close();
  const stats = hub.stats();
  assert.equal(stats.messages.accepted + stats.messages.rejected, stats.messages.received);
  for (const reason of Object.keys(stats.rejectsByReason)) assert.match(reason, /^[a-z0-9_]+$/, `a rejection reason is a stable code: ${reason}`);
  const report = await repairRecordings(dir, { dryRun: true });
  assert.deepEqual(report.failed, [], 'no WAV is unreadable');
  assert.deepEqual(report.repaired.map((r) => r.path), [], 'no WAV needs repair after a graceful close');
  assert.ok(report.checked > 100, `${report.checked} WAVs checked`);
  console.log(`fuzz: ${packets} packets in ${sequences} sequences; ${stats.messages.accepted} accepted, ${stats.messages.rejected} rejected by reason ${JSON.stringify(stats.rejectsByReason)}; ${report.checked} WAVs valid; control call ${controlSent} frames intact`);
});

test('one invalid UTF-8 text frame is rejected by reason and the call goes on', async () => {
  const { server, url, wsUrl } = await startServer();
  try {
    const ended = sessionEnd(server);
    const ws = await connect(wsUrl);
    ws.send(metadata('utf8-call', 16000));
    ws.send(audio(T0, 0, 16000));
    ws.send(Buffer.from([0x7b, 0xff, 0x7d]), { binary: false });
    ws.send(audio(T0, 1, 16000));
    await waitUntil(() => server.hub.stats().messages.received === 4, { intervalMs: 0, message: 'four messages' });
    assert.equal(ws.readyState, WebSocket.OPEN);
    ws.close(1000);
    const summary = await ended;
    assert.equal(summary.counts.framesReceived, 2);
    assert.equal(summary.counts.rejected, 1);
    const text = await (await fetch(`${url}/metrics`)).text();
    assert.match(text, /acs_audio_rejected_packets_total\{reason="invalid_utf8"\} 1/);
    assert.match(text, /acs_audio_messages_total\{outcome="received"\} 4/);
  } finally {
    await server.close();
  }
});
