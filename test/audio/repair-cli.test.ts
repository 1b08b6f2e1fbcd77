import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWav, readWav } from '../../src/audio/index.js';
import { sine } from './signals.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function acsAudio(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', MAIN, ...args], (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
    });
  });
}

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'acs-audio-repair-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('acs-audio repair prints each repaired file and a summary, and exits 0', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'ok.wav'), encodeWav(sine(1000, 16000, 0.1), 16000));
  await writeFile(join(dir, 'cut.wav'), encodeWav(sine(1000, 16000, 0.1), 16000));
  await truncate(join(dir, 'cut.wav'), 44 + 640);
  const run = await acsAudio('repair', dir);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /repaired .*cut\.wav: data 3200 → 640 bytes/);
  assert.match(run.stdout, /2 \.wav file\(s\) checked .*: 1 healthy, 1 repaired, 0 failed/);
  assert.equal(readWav(await readFile(join(dir, 'cut.wav'))).samples.length, 320);
});

test('acs-audio repair ends a session.json a crash left streaming, and says so', async (t) => {
  const dir = await tempDir(t);
  const folder = join(dir, '2026-11-25', 'sess-1');
  await mkdir(folder, { recursive: true });
  const participants = [{ trackId: 'mixed', participantRawId: undefined, file: 'mixed.wav', frames: 1, seconds: 0.02 }];
  await writeFile(join(folder, 'session.json'), JSON.stringify({ id: 'sess-1', state: 'streaming', sampleRate: 16000, startedAt: '2026-11-25T10:00:00.000Z', participants }));
  await writeFile(join(folder, 'mixed.wav'), encodeWav(sine(1000, 16000, 0.1), 16000)); // 5 frames
  const run = await acsAudio('repair', dir);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /ended .*session\.json: streaming → ended \(crashed; last write [^)]+\), 5 frames in its WAVs/);
  assert.match(run.stdout, /1 session\.json brought up to date/);
  const summary = JSON.parse(await readFile(join(folder, 'session.json'), 'utf8')) as { state: string; participants: Array<{ frames: number }> };
  assert.equal(summary.state, 'ended');
  assert.equal(summary.participants[0].frames, 5);
});

test('acs-audio repair exits 1 and names the file and reason when a file cannot be repaired', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'junk.wav'), 'not audio at all');
  const run = await acsAudio('repair', dir);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /failed .*junk\.wav: not a WAV file.*\[ERR_WAV_NOT_RIFF\]/);
  assert.match(run.stdout, /1 failed/);
});

test('acs-audio repair --help explains what it does and its exit status', async () => {
  const run = await acsAudio('repair', '--help');
  assert.equal(run.code, 0);
  assert.match(run.stdout, /cut short by a crash/);
  assert.match(run.stdout, /--dry-run/);
  assert.match(run.stdout, /Exit status/);
});
