import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createWavWriter, isWavError, readWav, readWavFile, repairWav, WAV_HEADER_BYTES } from '../../src/audio/index.js';
import { sine } from './signals.js';

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'acs-audio-wav-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function frame(n: number): Int16Array {
  return Int16Array.from({ length: 320 }, (_, i) => n * 1000 + i);
}

test('the file is a valid, empty WAV as soon as the writer is created', async (t) => {
  const path = join(await tempDir(t), 'a.wav');
  const writer = await createWavWriter(path, { sampleRate: 16000 });
  const wav = await readWavFile(path);
  assert.deepEqual(wav, { sampleRate: 16000, channels: 1, samples: new Int16Array(0), durationMs: 0 });
  await writer.close();
});

test('the file is a valid WAV of everything written after every flush', async (t) => {
  const path = join(await tempDir(t), 'a.wav');
  const writer = await createWavWriter(path, { sampleRate: 24000 });
  const expected: number[] = [];
  for (let n = 0; n < 5; n++) {
    for (let k = 0; k <= n; k++) {
      const f = frame(n * 10 + k);
      writer.write(f);
      expected.push(...f);
    }
    await writer.flush();
    const wav = readWav(await readFile(path)); // strict: the header sizes must match the file
    assert.deepEqual([...wav.samples], expected);
    assert.equal(wav.sampleRate, 24000);
  }
  await writer.close();
});

test('write() only buffers: nothing reaches the file until flush()', async (t) => {
  const path = join(await tempDir(t), 'a.wav');
  const writer = await createWavWriter(path, { sampleRate: 16000 });
  writer.write(frame(1));
  writer.write(frame(2));
  assert.equal(writer.pendingBytes, 1280);
  assert.equal(writer.samplesWritten, 640);
  assert.equal((await stat(path)).size, WAV_HEADER_BYTES);
  await writer.flush();
  assert.equal(writer.pendingBytes, 0);
  assert.equal((await stat(path)).size, WAV_HEADER_BYTES + 1280);
  await writer.close();
});

test('the writer copies what it is given: reusing the caller\'s array afterwards changes nothing', async (t) => {
  const path = join(await tempDir(t), 'a.wav');
  const writer = await createWavWriter(path, { sampleRate: 16000 });
  const reused = frame(1);
  writer.write(reused);
  reused.fill(0);
  await writer.close();
  assert.deepEqual([...(await readWavFile(path)).samples], [...frame(1)]);
});

test('flushes called without waiting, with writes in between, keep the samples in order', async (t) => {
  const path = join(await tempDir(t), 'a.wav');
  const writer = await createWavWriter(path, { sampleRate: 16000 });
  const flushes: Promise<void>[] = [];
  const expected: number[] = [];
  for (let n = 0; n < 50; n++) {
    writer.write(frame(n));
    expected.push(...frame(n));
    if (n % 3 === 0) flushes.push(writer.flush());
  }
  await Promise.all(flushes);
  await writer.close();
  assert.deepEqual([...(await readWavFile(path)).samples], expected);
});

test('accepts PCM16LE bytes in a Buffer as well as an Int16Array', async (t) => {
  const path = join(await tempDir(t), 'a.wav');
  const writer = await createWavWriter(path, { sampleRate: 16000 });
  const bytes = Buffer.alloc(4);
  bytes.writeInt16LE(-5, 0);
  bytes.writeInt16LE(7, 2);
  writer.write(bytes);
  writer.write(Int16Array.of(9));
  await writer.close();
  assert.deepEqual([...(await readWavFile(path)).samples], [-5, 7, 9]);
});

test('writes stereo, counting samplesWritten in frames', async (t) => {
  const path = join(await tempDir(t), 'a.wav');
  const writer = await createWavWriter(path, { sampleRate: 48000, channels: 2 });
  writer.write(Int16Array.of(1, 2, 3, 4, 5, 6));
  assert.equal(writer.samplesWritten, 3);
  await writer.close();
  const wav = await readWavFile(path);
  assert.equal(wav.channels, 2);
  assert.deepEqual([...wav.samples], [1, 2, 3, 4, 5, 6]);
  assert.equal(wav.durationMs, 3 / 48);
});

test('refuses a write that is not whole sample frames', async (t) => {
  const path = join(await tempDir(t), 'a.wav');
  const writer = await createWavWriter(path, { sampleRate: 16000, channels: 2 });
  assert.throws(() => writer.write(Int16Array.of(1, 2, 3)), (e) => isWavError(e, 'ERR_WAV_PARTIAL_SAMPLE'));
  assert.throws(() => writer.write(Buffer.alloc(3)), (e) => isWavError(e, 'ERR_WAV_PARTIAL_SAMPLE'));
  await writer.close();
});

test('close() flushes, is idempotent, and later writes are refused', async (t) => {
  const path = join(await tempDir(t), 'a.wav');
  const writer = await createWavWriter(path, { sampleRate: 16000 });
  writer.write(sine(1000, 16000, 0.02));
  const first = writer.close();
  assert.equal(writer.close(), first);
  await first;
  await writer.close();
  await writer.flush();
  assert.throws(() => writer.write(frame(0)), (e) => isWavError(e, 'ERR_WAV_WRITER_CLOSED'));
  assert.equal((await readWavFile(path)).samples.length, 320);
});

test('a writer in a folder that does not exist fails with ERR_WAV_IO naming the path', async (t) => {
  const path = join(await tempDir(t), 'missing', 'a.wav');
  await assert.rejects(createWavWriter(path, { sampleRate: 16000 }), (e) => isWavError(e, 'ERR_WAV_IO') && e.path === path);
});

test('headerEvery: the sizes are rewritten on every Nth flush and at close; a crash in between is repaired', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'a.wav');
  const writer = await createWavWriter(path, { sampleRate: 16000, headerEvery: 3 });
  const headerSamples = async (): Promise<number> => (await readFile(path)).readUInt32LE(40) / 2;
  const dataSamples = async (): Promise<number> => ((await stat(path)).size - WAV_HEADER_BYTES) / 2;
  for (let n = 1; n <= 4; n++) {
    writer.write(frame(n));
    await writer.flush();
    assert.equal(await dataSamples(), n * 320, `flush ${n}: the data is on disk`);
    assert.equal(await headerSamples(), n < 3 ? 0 : 3 * 320, `flush ${n}: the header is rewritten on the 3rd flush only`);
  }
  // Killed here: the header lags one frame behind the data, and repair recovers it.
  const crashed = join(dir, 'crashed.wav');
  await writeFile(crashed, await readFile(path));
  assert.equal((await repairWav(crashed)).repaired, true);
  assert.equal((await readWavFile(crashed)).samples.length, 4 * 320);
  await writer.close();
  assert.deepEqual([...(await readWavFile(path)).samples], [1, 2, 3, 4].flatMap((n) => [...frame(n)]));
});

test('headerEvery must be a whole number of flushes', async (t) => {
  const path = join(await tempDir(t), 'a.wav');
  for (const headerEvery of [0, 1.5, -1]) {
    await assert.rejects(createWavWriter(path, { sampleRate: 16000, headerEvery }), /headerEvery must be a whole number ≥ 1/);
  }
});

test('a failed write loses only its own bytes: they read as zeros in place, the next flush writes, close finishes the header and closes the file', async (t) => {
  const path = join(await tempDir(t), 'a.wav');
  let failNext = false;
  let closed = false;
  const writer = await createWavWriter(path, {
    sampleRate: 16000,
    openFile: async (p, flags) => {
      const { open } = await import('node:fs/promises');
      const handle = await open(p, flags);
      return new Proxy(handle, {
        get(target, prop) {
          if (prop === 'write' && failNext) {
            return async () => {
              failNext = false;
              throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
            };
          }
          if (prop === 'close') closed = true;
          const value = Reflect.get(target, prop) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    },
  });
  writer.write(frame(1));
  await writer.flush();
  writer.write(frame(2));
  failNext = true;
  await assert.rejects(writer.flush(), (err: unknown) => isWavError(err, 'ERR_WAV_IO'));
  assert.equal(writer.bytesLost, 640);
  writer.write(frame(3));
  await writer.flush();
  writer.write(frame(4));
  failNext = true;
  await assert.rejects(writer.close(), (err: unknown) => isWavError(err, 'ERR_WAV_IO'), 'close reports the lost tail');
  assert.ok(closed, 'the handle is closed anyway');
  const wav = readWav(await readFile(path)); // strict: the header matches the file, the lost tail included
  assert.deepEqual([...wav.samples], [...frame(1), ...new Int16Array(320), ...frame(3), ...new Int16Array(320)]);
});

test('skipBytes starts the data after a hole of zeros (a file opened again at its place on the timeline)', async (t) => {
  const path = join(await tempDir(t), 'a.wav');
  const writer = await createWavWriter(path, { sampleRate: 16000, skipBytes: 1280 });
  writer.write(frame(5));
  await writer.close();
  const wav = readWav(await readFile(path));
  assert.deepEqual([...wav.samples], [...new Int16Array(640), ...frame(5)]);
  await assert.rejects(createWavWriter(join(dirname(path), 'b.wav'), { sampleRate: 16000, skipBytes: 3 }), /skipBytes must be a whole number of sample frames/);
});
