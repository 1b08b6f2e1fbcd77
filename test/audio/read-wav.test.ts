import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeWav, isWavError, readWav, readWavFile, toMono, WAV_HEADER_BYTES } from '../../src/audio/index.js';
import { FIXTURES, middle, sine, toneDbfs, zeroCrossingHz } from './signals.js';

const SOX_FILES = [
  { file: 'pcm16-8000-mono.wav', sampleRate: 8000, channels: 1, frames: 800 },
  { file: 'pcm16-11025-mono.wav', sampleRate: 11025, channels: 1, frames: 1103 },
  { file: 'pcm16-22050-stereo.wav', sampleRate: 22050, channels: 2, frames: 1103 },
  { file: 'pcm16-44100-stereo.wav', sampleRate: 44100, channels: 2, frames: 1764 },
  { file: 'pcm16-48000-mono.wav', sampleRate: 48000, channels: 1, frames: 2400 },
  { file: 'pcm16-16000-3ch-extensible.wav', sampleRate: 16000, channels: 3, frames: 320 },
];

for (const { file, sampleRate, channels, frames } of SOX_FILES) {
  test(`reads sox's ${file}: ${channels} channel(s) at ${sampleRate} Hz, a 1 kHz half-scale tone`, async () => {
    const wav = await readWavFile(join(FIXTURES, file));
    assert.equal(wav.sampleRate, sampleRate);
    assert.equal(wav.channels, channels);
    assert.equal(wav.samples.length, frames * channels);
    assert.ok(Math.abs(wav.durationMs - (frames * 1000) / sampleRate) < 1e-9);
    const first = wav.samples.filter((_, i) => i % channels === 0);
    assert.ok(Math.abs(zeroCrossingHz(first, sampleRate) - 1000) < 1, `left channel at ${zeroCrossingHz(first, sampleRate)} Hz`);
    assert.ok(Math.abs(toneDbfs(middle(first, 0), 1000, sampleRate) - -6.02) < 0.5);
  });
}

test('reads the right channel of a stereo file as its own tone (interleaved samples)', async () => {
  const wav = await readWavFile(join(FIXTURES, 'pcm16-44100-stereo.wav'));
  const right = wav.samples.filter((_, i) => i % 2 === 1);
  assert.ok(Math.abs(zeroCrossingHz(right, 44100) - 500) < 1);
  assert.equal(toMono(wav.samples, 2).length, 1764);
});

const REFUSED = [
  { file: 'u8-8000-mono.wav', says: /8-bit PCM/ },
  { file: 'float32-16000-mono.wav', says: /IEEE float/ },
  { file: 'alaw-8000-mono.wav', says: /A-law/ },
  { file: 'pcm24-16000-mono.wav', says: /24-bit PCM/ },
];

for (const { file, says } of REFUSED) {
  test(`refuses ${file} with ERR_WAV_UNSUPPORTED_ENCODING, naming the encoding and how to convert it`, async () => {
    await assert.rejects(readWavFile(join(FIXTURES, file)), (e) => {
      assert.ok(isWavError(e, 'ERR_WAV_UNSUPPORTED_ENCODING'));
      assert.match(e.message, says);
      assert.match(e.message, /sox in\.wav -b 16/);
      assert.ok(e.message.includes(file), 'the message names the file');
      return true;
    });
  });
}

/** A RIFF chunk: id, little-endian size, body, and a pad byte when the size is odd. */
function chunk(id: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body, body.length % 2 === 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

function riff(chunks: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), ...chunks]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

const canonical = encodeWav(Int16Array.of(1, -2, 3, -4), 16000);
const fmtChunk = canonical.subarray(12, 36);
const dataChunk = canonical.subarray(36);

test('skips LIST and fact chunks and the pad byte after an odd-sized chunk', () => {
  const list = chunk('LIST', Buffer.from('INFOICMT\x05\x00\x00\x00hello', 'latin1')); // odd size: 17
  const wav = readWav(riff([list, fmtChunk, chunk('fact', Buffer.alloc(4)), chunk('junk', Buffer.alloc(3)), dataChunk, list]));
  assert.deepEqual([...wav.samples], [1, -2, 3, -4]);
  assert.equal(wav.sampleRate, 16000);
});

test('refuses bytes that are not RIFF/WAVE with ERR_WAV_NOT_RIFF', () => {
  assert.throws(() => readWav(Buffer.from('ID3\x04 this is an mp3')), (e) => isWavError(e, 'ERR_WAV_NOT_RIFF'));
  assert.throws(() => readWav(Buffer.alloc(0)), (e) => isWavError(e, 'ERR_WAV_NOT_RIFF'));
});

test('a data chunk shorter than declared is WAV_TRUNCATED, pointing at acs-audio repair', () => {
  const cut = canonical.subarray(0, canonical.length - 3);
  assert.throws(
    () => readWav(cut),
    (e) => isWavError(e, 'ERR_WAV_TRUNCATED') && /acs-audio repair/.test(e.message),
  );
});

test('allowTruncated reads the whole samples that are there', () => {
  const cut = canonical.subarray(0, canonical.length - 3);
  assert.deepEqual([...readWav(cut, { allowTruncated: true }).samples], [1, -2]); // 5 of 8 bytes: 2 whole samples
});

test('a missing fmt or data chunk is WAV_BAD_FORMAT or WAV_NO_DATA', () => {
  assert.throws(() => readWav(riff([dataChunk])), (e) => isWavError(e, 'ERR_WAV_BAD_FORMAT'));
  assert.throws(() => readWav(riff([fmtChunk])), (e) => isWavError(e, 'ERR_WAV_NO_DATA'));
  assert.throws(() => readWav(riff([])), (e) => isWavError(e, 'ERR_WAV_BAD_FORMAT'));
});

test('a missing file is WAV_IO with the path and the cause', async () => {
  await assert.rejects(readWavFile('/nonexistent/x.wav'), (e) => {
    assert.ok(isWavError(e, 'ERR_WAV_IO'));
    assert.equal(e.path, '/nonexistent/x.wav');
    assert.equal((e.cause as NodeJS.ErrnoException).code, 'ENOENT');
    return true;
  });
});

test('encodeWav writes a canonical 44-byte header that readWav reads back', () => {
  const samples = sine(1000, 24000, 0.05);
  const buf = encodeWav(samples, 24000);
  assert.equal(buf.length, WAV_HEADER_BYTES + samples.length * 2);
  assert.equal(buf.readUInt32LE(4), buf.length - 8);
  assert.equal(buf.readUInt32LE(40), samples.length * 2);
  const wav = readWav(buf);
  assert.deepEqual(wav, { sampleRate: 24000, channels: 1, samples, durationMs: 50 });
});

test('encodeWav writes stereo and reads back interleaved; matches what sox wrote byte for byte', async () => {
  const sox = await readFile(join(FIXTURES, 'pcm16-22050-stereo.wav'));
  const wav = readWav(sox);
  assert.deepEqual(encodeWav(wav.samples, wav.sampleRate, wav.channels), sox);
});

test('encodeWav refuses samples that are not whole frames of the channels', () => {
  assert.throws(() => encodeWav(Int16Array.of(1, 2, 3), 16000, 2), (e) => isWavError(e, 'ERR_WAV_PARTIAL_SAMPLE'));
});
