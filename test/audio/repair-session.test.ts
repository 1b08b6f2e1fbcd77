// After a crash, repairRecordings brings each unfinished session.json up to date (state, end, frames from the WAVs),
// so the recordings list does not show a crashed call as streaming forever.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeWav, repairRecordings } from '../../src/audio/index.js';
import { tempDirUntilExit } from '../temp-dir.js';

const ALICE = '4:+15551230001';

/** session.json as a running session last wrote it: frame counts lag the WAVs by up to a few seconds. */
function liveSummary(state: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'sess-1',
    subscriptionId: 'sub-1',
    callConnectionId: undefined,
    state,
    url: '/ws',
    sampleRate: 16000,
    channel: 'unmixed',
    startedAt: '2026-11-25T10:00:00.000Z',
    endedAt: undefined,
    recordingDir: 'unused',
    participants: [
      { trackId: '4_+15551230001', participantRawId: ALICE, file: '4_+15551230001.wav', frames: 50, seconds: 1 },
      { trackId: 'talk-back', participantRawId: undefined, file: undefined, frames: 0, seconds: 0 },
    ],
    counts: { framesReceived: 50, framesWritten: 50, gapsFilled: 0 },
    kind: 'audio',
    endReason: undefined,
    recordingIncomplete: false,
    ...overrides,
  };
}

/** A session folder holding a session.json and one participant WAV of `frames` 20 ms frames (header cut short). */
async function sessionFolder(summary: Record<string, unknown>, frames: number): Promise<string> {
  const dir = await tempDirUntilExit('repair-session-');
  const folder = join(dir, '2026-11-25', 'sess-1');
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'session.json'), `${JSON.stringify(summary)}\n`);
  const wav = encodeWav(new Int16Array(frames * 320).fill(700), 16000);
  wav.writeUInt32LE(36, 4); // killed before the first header update: sizes for zero samples
  wav.writeUInt32LE(0, 40);
  await writeFile(join(folder, '4_+15551230001.wav'), wav);
  return dir;
}

function sessionJson(dir: string): Promise<Record<string, unknown>> {
  return readFile(join(dir, '2026-11-25', 'sess-1', 'session.json'), 'utf8').then((text) => JSON.parse(text) as Record<string, unknown>);
}

test('a session.json a crash left "streaming" is ended: state, endedAt, endReason, repairedAt, frames from the WAVs', async () => {
  const dir = await sessionFolder(liveSummary('streaming'), 150);
  const lastWrite = new Date('2026-11-25T10:00:03.000Z');
  await utimes(join(dir, '2026-11-25', 'sess-1', '4_+15551230001.wav'), lastWrite, lastWrite);
  await utimes(join(dir, '2026-11-25', 'sess-1', 'session.json'), lastWrite, new Date('2026-11-25T10:00:01.000Z'));

  const report = await repairRecordings(dir, { now: () => Date.parse('2026-11-26T08:00:00.000Z') });

  const summary = await sessionJson(dir);
  assert.equal(summary.state, 'ended');
  assert.equal(summary.endedAt, '2026-11-25T10:00:03.000Z', 'the last write to any of its files');
  assert.equal(summary.repairedAt, '2026-11-26T08:00:00.000Z');
  assert.match(String(summary.endReason), /^crashed: the server stopped while the session was streaming/);
  assert.equal(summary.recordingIncomplete, true);
  const [alice, talkBack] = summary.participants as Array<{ frames: number; seconds: number }>;
  assert.deepEqual([alice.frames, alice.seconds], [150, 3]);
  assert.deepEqual([talkBack.frames, talkBack.seconds], [0, 0], 'a track without a WAV keeps what it had');
  assert.equal((summary.counts as { framesWritten: number }).framesWritten, 150);
  assert.equal(summary.subscriptionId, 'sub-1', 'everything else is kept');
  assert.deepEqual(report.sessions, [
    { path: join(dir, '2026-11-25', 'sess-1', 'session.json'), stateBefore: 'streaming', state: 'ended', endedAt: '2026-11-25T10:00:03.000Z', frames: 150 },
  ]);

  const again = await repairRecordings(dir);
  assert.deepEqual(again.sessions, [], 'an ended session.json is left alone');
});

test('an interrupted session is ended too, and one that crashed before its metadata is marked failed', async () => {
  const interrupted = await sessionFolder(liveSummary('interrupted'), 10);
  await repairRecordings(interrupted);
  assert.equal((await sessionJson(interrupted)).state, 'ended');

  const connecting = await sessionFolder(liveSummary('connecting', { sampleRate: undefined, channel: undefined, participants: [] }), 0);
  const report = await repairRecordings(connecting);
  assert.equal((await sessionJson(connecting)).state, 'failed');
  assert.equal(report.sessions[0]?.stateBefore, 'connecting');
});

test('a session that ended normally keeps its session.json byte for byte', async () => {
  const ended = liveSummary('ended', { endedAt: '2026-11-25T10:00:05.000Z', endReason: 'socket closed (1000)' });
  const dir = await sessionFolder(ended, 20);
  const before = await readFile(join(dir, '2026-11-25', 'sess-1', 'session.json'));
  const report = await repairRecordings(dir);
  assert.deepEqual(report.sessions, []);
  assert.deepEqual(await readFile(join(dir, '2026-11-25', 'sess-1', 'session.json')), before);
});

test('a dry run reports the session.json it would end and changes nothing', async () => {
  const dir = await sessionFolder(liveSummary('streaming'), 40);
  const before = await readFile(join(dir, '2026-11-25', 'sess-1', 'session.json'));
  const report = await repairRecordings(dir, { dryRun: true });
  assert.equal(report.sessions.length, 1);
  assert.equal(report.sessions[0].frames, 40);
  assert.deepEqual(await readFile(join(dir, '2026-11-25', 'sess-1', 'session.json')), before);
});

test('a session.json that is not JSON is listed as failed, and the rest of the folder is still repaired', async () => {
  const dir = await sessionFolder(liveSummary('streaming'), 10);
  await writeFile(join(dir, '2026-11-25', 'sess-1', 'session.json'), '{"id": "sess-1", "state": "stream');
  await truncate(join(dir, '2026-11-25', 'sess-1', '4_+15551230001.wav'), 44 + 640 * 5 + 1);
  const report = await repairRecordings(dir);
  assert.equal(report.repaired.length, 1);
  assert.deepEqual(report.failed.map((f) => [f.path, f.code]), [[join(dir, '2026-11-25', 'sess-1', 'session.json'), 'ERR_WAV_IO']]);
  assert.match(report.failed[0].reason, /session\.json .*not valid JSON/);
});
