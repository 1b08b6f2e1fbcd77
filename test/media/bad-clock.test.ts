// Bad clocks cannot blow up a recording (docs/media.md §Timeline): a gap too long to fill becomes a discontinuity,
// gap filling is bounded per session, and a timeline anchored on a wrong clock re-anchors on the frames that follow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { MediaHubOptions, MediaHubStats, SessionSummary } from '../../src/media/index.js';
import { audio, connect, ended, filesOf, frameOf, frameValues, makeHub, metadata, nextSession, T0, wav } from './harness.js';

const ALICE = '4:+15551234567';
const BOB = '4:+15557654321';
/** Bytes of one second of 16 kHz PCM16 mono. */
const SECOND = 32_000;
const MINUTE = 60_000;

interface Discontinuity {
  kind: 'gap' | 'reanchor';
  timelineMs: number;
  skippedMs: number;
  expectedTimestamp: string;
  timestamp: string;
}

interface Streamed {
  summary: SessionSummary;
  json: { discontinuities: Discontinuity[] } & SessionSummary;
  /** Size on disk of every WAV of the session, by file name. */
  sizes: Record<string, number>;
  stats: MediaHubStats;
  /** First sample of each 20 ms frame of mixed.wav (mixed sessions). */
  mixed: number[];
}

/** Send `packets` (AudioData text) on one socket after AudioMetadata, close it and collect what was written. */
async function stream(packets: string[], options: MediaHubOptions = {}): Promise<Streamed> {
  const { hub, cleanup } = await makeHub(options);
  try {
    const socket = connect(hub);
    const started = nextSession(hub);
    socket.push(metadata('sub-bad-clock'));
    const session = await started;
    for (const packet of packets) socket.push(packet);
    socket.conn.closed(1000, 'done');
    const summary = await ended(session);
    const dir = summary.recordingDir as string;
    const sizes: Record<string, number> = {};
    for (const name of await filesOf(summary)) if (name.endsWith('.wav')) sizes[name] = (await stat(join(dir, name))).size;
    const json = JSON.parse(await readFile(join(dir, 'session.json'), 'utf8')) as Streamed['json'];
    const mixed = sizes['mixed.wav'] === undefined ? [] : frameValues((await wav(join(dir, 'mixed.wav'))).samples, 320);
    return { summary, json, sizes, stats: hub.stats(), mixed };
  } finally {
    await cleanup();
  }
}

/** `count` frames of `value` from `fromMs` (offset from T0), 20 ms apart, for each of `participants`. */
function frames(fromMs: number, count: number, value: number, participants: Array<string | undefined> = [undefined]): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) for (const p of participants) out.push(audio(fromMs + i * 20, frameOf(value), p));
  return out;
}

test('a frame dated 59 minutes ahead writes no minutes of silence: every track and mixdown.wav stay seconds long', async () => {
  const before = frames(0, 100, 1, [ALICE, BOB]);
  const glitch = audio(59 * MINUTE, frameOf(9), ALICE);
  const after = frames(2000, 150, 2, [ALICE, BOB]);
  const { summary, json, sizes } = await stream([...before, glitch, ...after]);
  assert.deepEqual(Object.keys(sizes).sort(), ['4_+15551234567.wav', '4_+15557654321.wav', 'mixdown.wav']);
  // 5 s of audio went in; allow the timeline a few seconds more, never the 59 minutes (113 MB per file).
  for (const [name, size] of Object.entries(sizes)) assert.ok(size <= 10 * SECOND, `${name} is ${size} bytes`);
  assert.equal(summary.counts.discontinuities, 1);
  assert.equal(summary.counts.reanchors, 1);
  assert.deepEqual(json.discontinuities.map((d) => d.kind), ['gap', 'reanchor']);
  const [gap] = json.discontinuities;
  assert.equal(gap.timelineMs, 100 * 20);
  assert.equal(gap.skippedMs, 59 * MINUTE - 100 * 20);
  assert.equal(gap.expectedTimestamp, new Date(T0 + 100 * 20).toISOString());
  assert.equal(gap.timestamp, new Date(T0 + 59 * MINUTE).toISOString());
});

test('a gap longer than maxGapFillMs continues right after the last slot and is recorded as a discontinuity', async () => {
  const { summary, json, stats, mixed } = await stream([...frames(0, 10, 1), ...frames(8000, 10, 2)]);
  assert.deepEqual(mixed, [...Array(10).fill(1), ...Array(10).fill(2)]);
  assert.equal(summary.counts.gapsFilled, 0);
  assert.equal(summary.counts.discontinuities, 1);
  assert.deepEqual(json.discontinuities, [
    { kind: 'gap', timelineMs: 200, skippedMs: 7800, expectedTimestamp: new Date(T0 + 200).toISOString(), timestamp: new Date(T0 + 8000).toISOString() },
  ]);
  assert.deepEqual(stats.timelineDiscontinuities, { gap: 1 });
});

test('a gap up to maxGapFillMs is still filled with silence', async () => {
  const { summary, mixed } = await stream([...frames(0, 10, 1), ...frames(3000, 10, 2)], { maxGapFillMs: 3000 });
  assert.equal(mixed.length, 160);
  assert.equal(summary.counts.gapsFilled, 140);
  assert.equal(summary.counts.discontinuities, 0);
});

test('gap filling is bounded per session: many gaps just under the limit do not add up to minutes of silence', async () => {
  // Sent at once (no wall time passes): 30 jumps of 4.9 s would be 147 s of silence.
  const packets: string[] = [];
  for (let i = 0; i < 30; i++) packets.push(audio(i * 4900, frameOf(i + 1)));
  const { summary, sizes, json } = await stream(packets);
  assert.ok(sizes['mixed.wav'] <= 6 * SECOND, `mixed.wav is ${sizes['mixed.wav']} bytes`);
  assert.ok(summary.counts.discontinuities >= 28, `${summary.counts.discontinuities} discontinuities`);
  assert.equal(json.discontinuities.length, summary.counts.discontinuities);
});

for (const [what, firstMs] of [
  ['1970', 0],
  ['the year 9999', Date.parse('9999-12-31T23:59:59.000Z')],
] as const) {
  test(`a first frame dated ${what} does not make the real audio after it rejected: the timeline re-anchors`, async () => {
    const first = audio(firstMs - T0, frameOf(9));
    const { summary, json, stats, mixed: values } = await stream([first, ...frames(0, 150, 5)]);
    // The first ~1 s of real frames confirm the new clock; everything after it is kept, nothing in between is silence.
    const real = values.filter((v) => v === 5).length;
    assert.ok(real >= 90, `${real} real frames of 150 kept`);
    assert.ok(values.length <= 1 + 150, `${values.length} frames`);
    assert.equal(values[0], 9);
    assert.ok(values.slice(1).every((v) => v === 5));
    assert.equal(summary.counts.reanchors, 1);
    assert.equal(json.discontinuities.length, 1);
    assert.equal(json.discontinuities[0].kind, 'reanchor');
    assert.equal(json.discontinuities[0].timelineMs, 20);
    assert.equal(stats.timelineDiscontinuities.reanchor, 1);
  });
}

test('frames of one participant off the timeline do not re-anchor it while the others are placed', async () => {
  const packets: string[] = [];
  for (let i = 0; i < 150; i++) {
    packets.push(audio(i * 20, frameOf(1), ALICE));
    packets.push(audio(i * 20 - 2 * MINUTE, frameOf(2), BOB));
  }
  const { summary } = await stream(packets);
  assert.equal(summary.counts.reanchors, 0);
  assert.equal(summary.participants.find((p) => p.participantRawId === ALICE)?.frames, 150);
});

test('maxGapFillMs is validated like the other limits', async () => {
  await assert.rejects(makeHub({ maxGapFillMs: -1 }), /maxGapFillMs/);
});
