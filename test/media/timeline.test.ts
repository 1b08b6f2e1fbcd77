import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { SampleRate } from '../../src/protocol/index.js';
import { audio, connect, ended, frameOf, frameValues, makeHub, metadata, nextSession, wav } from './harness.js';

/** Stream frames (offset ms → value) on one mixed socket and return the summary and mixed.wav's frame values. */
async function streamMixed(frames: Array<[number, number]>, rate: SampleRate = 16000, options = {}) {
  const { hub, cleanup } = await makeHub(options);
  try {
    const socket = connect(hub);
    const started = nextSession(hub);
    socket.push(metadata('sub-timeline', rate));
    const session = await started;
    for (const [offset, value] of frames) socket.push(audio(offset, frameOf(value, rate)));
    socket.conn.closed(1000, 'done');
    const summary = await ended(session);
    const file = await wav(join(summary.recordingDir as string, 'mixed.wav'));
    return { summary, sampleRate: file.sampleRate, values: frameValues(file.samples, rate / 50), samples: file.samples, stats: hub.stats() };
  } finally {
    await cleanup();
  }
}

const inOrder = (n: number): Array<[number, number]> => Array.from({ length: n }, (_, i) => [i * 20, i + 1]);

for (const rate of [16000, 24000] as const) {
  test(`records in-order mixed frames at ${rate} Hz into mixed.wav, sample for sample`, async () => {
    const { summary, sampleRate, samples, values } = await streamMixed(inOrder(10), rate);
    assert.equal(sampleRate, rate);
    assert.equal(samples.length, 10 * (rate / 50));
    assert.deepEqual(values, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(summary.channel, 'mixed');
    assert.equal(summary.counts.framesReceived, 10);
    assert.equal(summary.counts.framesWritten, 10);
    assert.deepEqual(summary.participants.map((p) => [p.trackId, p.frames, p.file]), [['mixed', 10, 'mixed.wav']]);
  });
}

test('fills a gap of five frames with silence', async () => {
  const frames = inOrder(10).filter(([offset]) => offset < 60 || offset >= 160);
  const { summary, values } = await streamMixed(frames);
  assert.deepEqual(values, [1, 2, 3, 0, 0, 0, 0, 0, 9, 10]);
  assert.equal(summary.counts.gapsFilled, 5);
});

test('fills a gap longer than the late window with silence', async () => {
  const { summary, values } = await streamMixed([[0, 1], [2000, 2]]);
  assert.equal(values.length, 101);
  assert.equal(values[0], 1);
  assert.equal(values[100], 2);
  assert.ok(values.slice(1, 100).every((v) => v === 0));
  assert.equal(summary.counts.gapsFilled, 99);
});

test('drops a duplicate frame (same slot) and counts it', async () => {
  const frames = inOrder(5);
  frames.splice(3, 0, [40, 99]);
  const { summary, values, stats } = await streamMixed(frames);
  assert.deepEqual(values, [1, 2, 3, 4, 5]);
  assert.equal(summary.counts.duplicates, 1);
  assert.equal(stats.duplicates, 1);
});

test('drops a duplicate of a frame still held after a gap', async () => {
  const { summary, values } = await streamMixed([[0, 1], [40, 3], [40, 99], [20, 2]]);
  assert.deepEqual(values, [1, 2, 3]);
  assert.equal(summary.counts.duplicates, 1);
});

test('puts a late frame within the late window in its place', async () => {
  const { summary, values, stats } = await streamMixed([[0, 1], [20, 2], [60, 4], [80, 5], [40, 3], [100, 6]]);
  assert.deepEqual(values, [1, 2, 3, 4, 5, 6]);
  assert.equal(summary.counts.late, 1);
  assert.equal(summary.counts.gapsFilled, 0);
  assert.equal(stats.lateFrames, 1);
});

test('drops a frame later than the late window and counts it as too late', async () => {
  const frames = inOrder(20).filter(([offset]) => offset !== 40);
  frames.push([40, 3]);
  const { summary, values } = await streamMixed(frames, 16000, { lateWindowMs: 100 });
  assert.equal(values[2], 0);
  assert.equal(values.length, 20);
  assert.equal(summary.counts.tooLate, 1);
  assert.equal(summary.counts.gapsFilled, 1);
});

test('rounds off-grid timestamps to the nearest 20 ms slot', async () => {
  const { values } = await streamMixed([[0, 1], [21, 2], [38.5, 3], [63, 4], [79, 5]]);
  assert.deepEqual(values, [1, 2, 3, 4, 5]);
});

test('rejects a timestamp that jumps more than an hour ahead instead of writing an hour of silence', async () => {
  const { summary, values, stats } = await streamMixed([[0, 1], [20, 2], [2 * 3600_000, 3], [40, 4]]);
  assert.deepEqual(values, [1, 2, 4]);
  assert.equal(summary.counts.rejected, 1);
  assert.equal(stats.rejectsByReason.timestamp_jump, 1);
});

test('a frame before the first frame of the session is too late', async () => {
  const { summary, values } = await streamMixed([[0, 1], [-20, 9], [20, 2]]);
  assert.deepEqual(values, [1, 2]);
  assert.equal(summary.counts.tooLate, 1);
});
