import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWavWriter, encodeWav, isWavError, readWav, repairRecordings, repairWav } from '../../src/audio/index.js';
import { FIXTURES, sine } from './signals.js';

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'acs-audio-repair-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const tone = sine(1000, 16000, 0.1); // 1600 samples, 3200 bytes

test('a file cut short mid-data gets the sizes of the whole samples on disk, the partial one trimmed', async (t) => {
  const path = join(await tempDir(t), 'cut.wav');
  await writeFile(path, encodeWav(tone, 16000));
  await truncate(path, 44 + 2001); // 1000 samples and half of one
  const before = await readFile(path);
  assert.throws(() => readWav(before), (e) => isWavError(e, 'ERR_WAV_TRUNCATED'));
  const result = await repairWav(path);
  assert.equal(result.repaired, true);
  assert.equal(result.declaredDataBytes, 3200);
  assert.equal(result.dataBytes, 2000);
  assert.equal(result.trimmedBytes, 1);
  assert.equal(result.durationMs, 62.5);
  const wav = readWav(await readFile(path)); // strict reader: sizes now agree with the file
  assert.deepEqual(wav.samples, tone.subarray(0, 1000));
});

test('a file whose header never got its sizes (crash before the first header update) is repaired', async (t) => {
  const path = join(await tempDir(t), 'unsized.wav');
  const bytes = encodeWav(tone, 16000);
  bytes.writeUInt32LE(36, 4); // as written at creation: RIFF and data sizes for zero samples
  bytes.writeUInt32LE(0, 40);
  await writeFile(path, bytes);
  const result = await repairWav(path);
  assert.equal(result.repaired, true);
  assert.equal(result.dataBytes, 3200);
  assert.deepEqual(readWav(await readFile(path)).samples, tone);
});

test('samples written after the last header update (crash between the data write and the header write) are kept', async (t) => {
  const path = join(await tempDir(t), 'stale.wav');
  const writer = await createWavWriter(path, { sampleRate: 16000 });
  writer.write(tone.subarray(0, 800));
  await writer.close();
  // The next flush's data write landed; its header write did not.
  const stale = await readFile(path);
  await writeFile(path, Buffer.concat([stale, encodeWav(tone.subarray(800), 16000).subarray(44)]));
  const result = await repairWav(path);
  assert.equal(result.repaired, true);
  assert.equal(result.declaredDataBytes, 1600);
  assert.equal(result.dataBytes, 3200);
  assert.deepEqual(readWav(await readFile(path)).samples, tone);
});

test('a healthy file is left byte for byte as it was', async (t) => {
  const path = join(await tempDir(t), 'ok.wav');
  const original = encodeWav(tone, 16000);
  await writeFile(path, original);
  const result = await repairWav(path);
  assert.equal(result.repaired, false);
  assert.equal(result.dataBytes, 3200);
  assert.deepEqual(await readFile(path), original);
});

test('a healthy file with chunks after the data (LIST) is left alone', async (t) => {
  const path = join(await tempDir(t), 'list.wav');
  const list = Buffer.concat([Buffer.from('LIST\x05\x00\x00\x00INFOx\x00', 'latin1')]);
  const bytes = Buffer.concat([encodeWav(tone, 16000), list]);
  bytes.writeUInt32LE(bytes.length - 8, 4);
  await writeFile(path, bytes);
  assert.equal((await repairWav(path)).repaired, false);
  assert.deepEqual(await readFile(path), bytes);
});

test('a dry run reports the repair and changes nothing', async (t) => {
  const path = join(await tempDir(t), 'cut.wav');
  await writeFile(path, encodeWav(tone, 16000));
  await truncate(path, 1000);
  const before = await readFile(path);
  const result = await repairWav(path, { dryRun: true });
  assert.equal(result.repaired, true);
  assert.equal(result.dataBytes, 956);
  assert.deepEqual(await readFile(path), before);
});

test('a file that is not a WAV is refused with ERR_WAV_NOT_RIFF', async (t) => {
  const path = join(await tempDir(t), 'notes.wav');
  await writeFile(path, 'these are not samples');
  await assert.rejects(repairWav(path), (e) => isWavError(e, 'ERR_WAV_NOT_RIFF') && e.path === path);
});

test('repairRecordings walks the tree, repairs what is cut short, and lists failures with reasons', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'call-1', 'tracks'), { recursive: true });
  await writeFile(join(dir, 'call-1', 'mixed.wav'), encodeWav(tone, 16000));
  await writeFile(join(dir, 'call-1', 'tracks', 'alice.wav'), encodeWav(tone, 16000));
  await truncate(join(dir, 'call-1', 'tracks', 'alice.wav'), 44 + 1000);
  await writeFile(join(dir, 'call-1', 'tracks', 'bob.WAV'), encodeWav(tone, 24000));
  await truncate(join(dir, 'call-1', 'tracks', 'bob.WAV'), 44 + 2);
  await writeFile(join(dir, 'call-1', 'events.jsonl'), '{}\n');
  await writeFile(join(dir, 'broken.wav'), Buffer.alloc(0));
  await copyFile(join(FIXTURES, 'u8-8000-mono.wav'), join(dir, 'u8.wav'));

  const report = await repairRecordings(dir);
  assert.equal(report.checked, 5);
  assert.equal(report.healthy, 2); // mixed.wav and the 8-bit file, whose sizes are right
  assert.deepEqual(
    report.repaired.map((r) => [r.path, r.dataBytes]),
    [
      [join(dir, 'call-1', 'tracks', 'alice.wav'), 1000],
      [join(dir, 'call-1', 'tracks', 'bob.WAV'), 2],
    ],
  );
  assert.deepEqual(report.failed.map((f) => [f.path, f.code]), [[join(dir, 'broken.wav'), 'ERR_WAV_NOT_RIFF']]);
  assert.match(report.failed[0].reason, /not a WAV file: only 0 bytes/);

  const again = await repairRecordings(dir);
  assert.equal(again.repaired.length, 0);
  assert.equal(again.healthy, 4);
});

test('repairRecordings on a folder that does not exist throws ERR_WAV_IO', async () => {
  await assert.rejects(repairRecordings('/nonexistent/recordings'), (e) => isWavError(e, 'ERR_WAV_IO'));
});
