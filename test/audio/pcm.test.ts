import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FRAME_MS, frameSamples, isAudioError, isSilence, levelDbfs, mixFrames, toMono } from '../../src/audio/index.js';
import { sine } from './signals.js';

test('a 20 ms frame is 320 samples at 16 kHz and 480 at 24 kHz (its bytes: frameBytesFor, test/protocol)', () => {
  assert.equal(FRAME_MS, 20);
  assert.equal(frameSamples(16000), 320);
  assert.equal(frameSamples(24000), 480);
});

test('frameSamples refuses rates without a whole number of samples per frame', () => {
  assert.throws(() => frameSamples(11025), (e) => isAudioError(e, 'ERR_AUDIO_BAD_SAMPLE_RATE'));
  assert.throws(() => frameSamples(0), (e) => isAudioError(e, 'ERR_AUDIO_BAD_SAMPLE_RATE'));
});

test('a full-scale sine reads about -3 dBFS and a half-scale one about -9 dBFS', () => {
  assert.ok(Math.abs(levelDbfs(sine(1000, 16000, 0.1, 1)) - -3.01) < 0.05);
  assert.ok(Math.abs(levelDbfs(sine(1000, 16000, 0.1, 0.5)) - -9.03) < 0.05);
});

test('a full-scale square wave reads 0 dBFS', () => {
  const square = Int16Array.from({ length: 320 }, (_, i) => (i % 2 === 0 ? 32767 : -32768));
  assert.ok(Math.abs(levelDbfs(square)) < 0.001);
});

test('levelDbfs is the RMS level of any length, odd ones too', () => {
  for (const length of [1, 2, 3, 5, 319, 320, 321, 480]) {
    const samples = Int16Array.from({ length }, (_, i) => ((i * 7919) % 65536) - 32768);
    let sum = 0;
    for (const s of samples) sum += s * s;
    const expected = sum === 0 ? -Infinity : 10 * Math.log10(sum / length / (32768 * 32768));
    assert.ok(Math.abs(levelDbfs(samples) - expected) < 1e-9, `length ${length}: ${levelDbfs(samples)} vs ${expected}`);
  }
  // Only the last sample loud: it is outside the four-at-a-time loop when the length is not a multiple of 4.
  const tail = new Int16Array(321);
  tail[320] = 32767;
  assert.ok(Number.isFinite(levelDbfs(tail)));
});

test('digital silence and an empty frame read -Infinity', () => {
  assert.equal(levelDbfs(new Int16Array(320)), -Infinity);
  assert.equal(levelDbfs(new Int16Array(0)), -Infinity);
});

test('isSilence is true below -50 dBFS by default and follows a given threshold', () => {
  assert.equal(isSilence(new Int16Array(320)), true);
  assert.equal(isSilence(sine(1000, 16000, 0.02, 0.001)), true); // about -63 dBFS
  assert.equal(isSilence(sine(1000, 16000, 0.02, 0.01)), false); // about -43 dBFS
  assert.equal(isSilence(sine(1000, 16000, 0.02, 0.01), -40), true);
});

test('mixFrames adds samples', () => {
  const mixed = mixFrames([Int16Array.of(100, -200, 300), Int16Array.of(1, 2, 3)]);
  assert.deepEqual([...mixed], [101, -198, 303]);
});

test('mixFrames saturates at the int16 limits instead of wrapping round', () => {
  const loud = Int16Array.of(30000, -30000, 32767, -32768);
  const mixed = mixFrames([loud, loud, loud]);
  assert.deepEqual([...mixed], [32767, -32768, 32767, -32768]);
});

test('mixFrames treats shorter inputs as silence and writes into a given output, even one of its inputs', () => {
  const a = Int16Array.of(1, 2, 3, 4);
  const b = Int16Array.of(10, 20);
  assert.deepEqual([...mixFrames([a, b])], [11, 22, 3, 4]);
  const same = mixFrames([a, b], a);
  assert.equal(same, a);
  assert.deepEqual([...a], [11, 22, 3, 4]);
  assert.deepEqual([...mixFrames([])], []);
});

test('toMono averages interleaved channels', () => {
  assert.deepEqual([...toMono(Int16Array.of(100, 300, -32768, -32768, 1, 2), 2)], [200, -32768, 2]);
  assert.deepEqual([...toMono(Int16Array.of(3, 6, 9), 3)], [6]);
});

test('toMono returns a copy for mono input and refuses samples that are not whole frames', () => {
  const mono = Int16Array.of(1, 2, 3);
  const copy = toMono(mono, 1);
  assert.notEqual(copy, mono);
  assert.deepEqual([...copy], [1, 2, 3]);
  assert.throws(() => toMono(Int16Array.of(1, 2, 3), 2), (e) => isAudioError(e, 'ERR_AUDIO_BAD_CHANNELS'));
  assert.throws(() => toMono(mono, 0), (e) => isAudioError(e, 'ERR_AUDIO_BAD_CHANNELS'));
});
