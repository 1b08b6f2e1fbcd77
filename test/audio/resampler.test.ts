import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createResampler, isAudioError, resample } from '../../src/audio/index.js';
import { middle, sine, thdPlusNoiseDb, toneDbfs, zeroCrossingHz } from './signals.js';

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const PAIRS: Array<[number, number]> = [
  [16000, 24000],
  [24000, 16000],
  [44100, 16000],
  [8000, 16000],
  [11025, 24000],
  [22050, 16000],
  [48000, 24000],
];

for (const [from, to] of PAIRS) {
  test(`${from} → ${to} Hz: a 1 kHz tone stays 1 kHz, at the same level, with distortion under -80 dB`, () => {
    const input = sine(1000, from, 0.5);
    const out = resample(input, from, to);
    assert.equal(out.length, Math.ceil((input.length * to) / from));
    const steady = middle(out);
    assert.ok(Math.abs(zeroCrossingHz(steady, to) - 1000) < 0.5, `zero crossings say ${zeroCrossingHz(steady, to)} Hz`);
    assert.ok(Math.abs(toneDbfs(steady, 1000, to) - -6.02) < 0.1, `1 kHz at ${toneDbfs(steady, 1000, to)} dBFS`);
    assert.ok(thdPlusNoiseDb(steady, 1000, to) < -80, `THD+N ${thdPlusNoiseDb(steady, 1000, to)} dB`);
  });
}

test('the output has ceil(length × toRate / fromRate) samples', () => {
  assert.equal(resample(new Int16Array(320), 16000, 24000).length, 480);
  assert.equal(resample(new Int16Array(480), 24000, 16000).length, 320);
  assert.equal(resample(new Int16Array(441), 44100, 16000).length, 160);
  assert.equal(resample(new Int16Array(1000), 44100, 16000).length, Math.ceil((1000 * 16000) / 44100));
  assert.equal(resample(new Int16Array(0), 44100, 16000).length, 0);
});

test('the output is not delayed: a tone keeps its phase', () => {
  const out = middle(resample(sine(1000, 16000, 0.5), 16000, 24000), 0);
  const expected = sine(1000, 24000, 0.5);
  let worst = 0;
  for (let i = 2400; i < out.length - 2400; i++) worst = Math.max(worst, Math.abs(out[i] - expected[i]));
  assert.ok(worst < 8, `largest difference from the ideal 24 kHz tone: ${worst}`);
});

test('44.1 → 16 kHz removes a 10 kHz tone instead of folding it to 6 kHz', () => {
  const out = middle(resample(sine(10000, 44100, 0.5, 0.9), 44100, 16000));
  assert.ok(toneDbfs(out, 6000, 16000) < -80, `alias at 6 kHz: ${toneDbfs(out, 6000, 16000)} dBFS`);
});

test('16 → 24 kHz adds no image of a 7 kHz tone at 9 kHz', () => {
  const out = middle(resample(sine(7000, 16000, 0.5, 0.9), 16000, 24000));
  assert.ok(toneDbfs(out, 9000, 24000) < -80, `image at 9 kHz: ${toneDbfs(out, 9000, 24000)} dBFS`);
  assert.ok(Math.abs(toneDbfs(out, 7000, 24000) - 20 * Math.log10(0.9)) < 0.2, 'the 7 kHz tone itself passes');
});

test('a full-scale square wave clips at the int16 limits instead of wrapping round', () => {
  const square = Int16Array.from({ length: 1600 }, (_, i) => (Math.floor(i / 40) % 2 === 0 ? 32767 : -32768));
  const out = resample(square, 16000, 24000);
  // Gibbs overshoot goes past full scale next to each edge; wrapping round would flip those samples' sign.
  for (let i = 150; i < out.length - 150; i++) {
    const at = Math.floor((i * 2) / 3);
    const neighbours = square.subarray(Math.max(0, at - 4), at + 5);
    if (neighbours.every((v) => v === 32767)) assert.ok(out[i] > 30000, `sample ${i} is ${out[i]}`);
    if (neighbours.every((v) => v === -32768)) assert.ok(out[i] < -30000, `sample ${i} is ${out[i]}`);
  }
  assert.ok(out.includes(32767) && out.includes(-32768), 'the overshoot is clipped to full scale');
});

test('equal rates return a copy', () => {
  const input = Int16Array.of(1, 2, 3);
  const out = resample(input, 16000, 16000);
  assert.notEqual(out, input);
  assert.deepEqual([...out], [1, 2, 3]);
});

test('rates that are not positive whole numbers are refused', () => {
  assert.throws(() => resample(new Int16Array(1), 0, 16000), (e) => isAudioError(e, 'ERR_AUDIO_BAD_SAMPLE_RATE'));
  assert.throws(() => createResampler(16000, 22050.5), (e) => isAudioError(e, 'ERR_AUDIO_BAD_SAMPLE_RATE'));
});

for (const [from, to] of [
  [16000, 24000],
  [24000, 16000],
  [44100, 16000],
] as const) {
  test(`streaming ${from} → ${to} Hz in uneven chunks gives exactly the one-shot result (no clicks at chunk edges)`, () => {
    const input = sine(440, from, 0.3);
    const resampler = createResampler(from, to);
    const parts: Int16Array[] = [];
    for (let at = 0, k = 1; at < input.length; k++) {
      const size = (k * 37) % 500;
      parts.push(resampler.push(input.subarray(at, at + size)));
      at += size;
    }
    parts.push(resampler.flush());
    assert.deepEqual(concat(parts), resample(input, from, to));
  });
}

test('a streaming resampler returns 20 ms frames that join seamlessly, lagging by its delay until flushed', () => {
  const resampler = createResampler(16000, 24000);
  const input = sine(1000, 16000, 0.2);
  const parts: Int16Array[] = [];
  for (let at = 0; at < input.length; at += 320) parts.push(resampler.push(input.subarray(at, at + 320)));
  const beforeFlush = parts.reduce((n, p) => n + p.length, 0);
  assert.equal(beforeFlush, 4800 - Math.floor((resampler.delaySamples * 3) / 2));
  parts.push(resampler.flush());
  const out = concat(parts);
  assert.equal(out.length, 4800);
  assert.ok(thdPlusNoiseDb(middle(out), 1000, 24000) < -80);
});

test('a streaming resampler is ready for a new stream after flush', () => {
  const resampler = createResampler(24000, 16000);
  const input = sine(1000, 24000, 0.1);
  const first = concat([resampler.push(input), resampler.flush()]);
  const second = concat([resampler.push(input), resampler.flush()]);
  assert.deepEqual(second, first);
});

test('a streaming pass-through at equal rates copies each chunk', () => {
  const resampler = createResampler(16000, 16000);
  const chunk = Int16Array.of(5, 6);
  const out = resampler.push(chunk);
  assert.notEqual(out, chunk);
  assert.deepEqual([...out], [5, 6]);
  assert.equal(resampler.flush().length, 0);
});
