// Benchmark: the audio library's hot spots. Resampler quality (THD+N of a 1 kHz tone, aliasing of a tone above the
// new Nyquist) and speed (× real time, one-shot and streaming in 20 ms frames); mixing; levels; WAV writer.
// Usage: npx tsx bench/audio.ts
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createResampler, createWavWriter, levelDbfs, mixFrames, resample } from '../src/audio/index.js';
import { middle, sine, thdPlusNoiseDb, toneDbfs } from '../test/audio/signals.js';

const PAIRS: Array<[number, number]> = [
  [16000, 24000],
  [24000, 16000],
  [8000, 16000],
  [44100, 16000],
  [48000, 24000],
  [22050, 24000],
];

function timeIt(run: () => void, minMs = 300): number {
  run(); // warm up
  let rounds = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    run();
    rounds++;
  }
  return (performance.now() - start) / rounds;
}

function benchResampler(): void {
  console.log('resampler (10 s of a 1 kHz tone at half scale)');
  console.log('  pair              THD+N     alias      one-shot      streaming (20 ms frames)');
  for (const [from, to] of PAIRS) {
    const input = sine(1000, from, 10);
    const out = resample(input, from, to);
    const thdn = thdPlusNoiseDb(middle(out), 1000, to);
    // A tone 20% above the lower Nyquist must vanish, not fold back into the band.
    const lowNyquist = Math.min(from, to) / 2;
    const high = Math.round(lowNyquist * 1.2);
    const alias = from > to ? toneDbfs(middle(resample(sine(high, from, 1, 0.9), from, to)), to - high, to) : NaN;
    const oneShotMs = timeIt(() => resample(input, from, to));
    const frame = from / 50;
    const streamMs = timeIt(() => {
      const resampler = createResampler(from, to);
      for (let at = 0; at < input.length; at += frame) resampler.push(input.subarray(at, at + frame));
      resampler.flush();
    });
    const pair = `${from} → ${to}`.padEnd(16);
    // -Infinity: the alias rounds to zero (below 1 LSB).
    const aliasText = Number.isNaN(alias) ? '    —    ' : Number.isFinite(alias) ? `${alias.toFixed(1)} dB` : ' < 1 LSB ';
    console.log(
      `  ${pair}  ${thdn.toFixed(1)} dB  ${aliasText}  ${(10000 / oneShotMs).toFixed(0).padStart(5)}× real time  ` +
        `${(10000 / streamMs).toFixed(0).padStart(5)}× real time (${((streamMs * 1000) / 500).toFixed(1)} µs/frame)`,
    );
  }
}

function benchMixAndLevel(): void {
  const frames = Array.from({ length: 4 }, (_, i) => sine(300 + 100 * i, 16000, 0.02));
  const out = new Int16Array(320);
  const mixMs = timeIt(() => {
    for (let i = 0; i < 1000; i++) mixFrames(frames, out);
  });
  const levelMs = timeIt(() => {
    for (let i = 0; i < 1000; i++) levelDbfs(frames[0]);
  });
  console.log(`mixFrames, 4 inputs × 320 samples: ${((mixMs * 1000) / 1000).toFixed(2)} µs/frame`);
  console.log(`levelDbfs, 320 samples: ${((levelMs * 1000) / 1000).toFixed(3)} µs/frame`);
}

async function benchWriter(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'acs-audio-bench-'));
  try {
    const frame = sine(1000, 16000, 0.02);
    const frames = 50 * 600; // ten minutes of 16 kHz audio
    const start = performance.now();
    const writer = await createWavWriter(join(dir, 'a.wav'), { sampleRate: 16000 });
    for (let i = 0; i < frames; i++) {
      writer.write(frame);
      if (i % 50 === 49) await writer.flush(); // once a second, as a recorder would
    }
    await writer.close();
    const ms = performance.now() - start;
    console.log(`WAV writer: 10 min of 16 kHz mono, flushed every second: ${ms.toFixed(0)} ms (${((ms * 1000) / frames).toFixed(2)} µs/frame)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

benchResampler();
benchMixAndLevel();
await benchWriter();
