// A disk that fills up or loses the recording folder in the middle of a call, on real file systems: a 1 MB tmpfs
// mounted for the test (skipped where mounting is not allowed; slow-disk.test.ts injects ENOSPC/EROFS into real files
// everywhere) and a folder deleted under the server.
// Each time: ingest goes on, the WAV is finished and closed (no file handle left open), it lines up with the timeline
// (lost frames read as zeros), the loss is counted by reason and in session.json, logged once, no session.json.tmp is
// left behind, and recording resumes by itself when writes succeed again.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { readdir, readFile, rm, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { readWav } from '../../src/audio/index.js';
import { checkRecordingsFolder, isMediaError } from '../../src/media/index.js';
import type { MediaSession, SessionSummary } from '../../src/server/index.js';
import { tempDirUntilExit } from '../temp-dir.js';
import { waitUntil } from '../wait-until.js';
import { audio, connect, metadata, metricValue, startServer, tone } from './wire.js';

const run = promisify(execFile);
const T0 = Date.parse('2025-07-01T09:00:00.000Z');
const SPF = 320;
const TONE = tone(SPF);

/** A 1 MB tmpfs at a fresh folder, unmounted after the test; undefined where mounting is not allowed. */
async function smallDisk(t: TestContext): Promise<string | undefined> {
  const dir = await tempDirUntilExit('disk-failure-');
  try {
    await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
  } catch {
    return undefined;
  }
  t.after(() => run('umount', ['-l', dir]).then(() => undefined));
  return dir;
}

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** A server recording into `dir`, one mixed call on it, and its warn/info log lines. */
async function oneCall(dir: string) {
  const logs: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const { server, wsUrl } = await startServer({ logger, recordingsDir: dir, media: { flushIntervalMs: 20 } });
  const fdsBefore = openFds();
  let ended: Promise<SessionSummary> | undefined;
  server.on('session', (s: MediaSession) => (ended = new Promise((resolve) => s.once('end', resolve))));
  const ws = await connect(wsUrl);
  ws.send(metadata('sub-disk', 16000));
  let sent = 0;
  /** `n` frames at 20× real time, so the 20 ms flushes run between them. */
  const send = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++, sent++) {
      ws.send(audio(T0, sent, 16000));
      if (sent % 20 === 19) await new Promise((r) => setTimeout(r, 50));
    }
    await waitUntil(() => server.hub.stats().messages.received === sent + 1, { message: 'the frames to arrive' });
  };
  const session = () => server.hub.sessions()[0];
  const metrics = async () => (await fetch(`http://127.0.0.1:${server.address()!.port}/metrics`)).text();
  const end = async () => {
    ws.close(1000);
    await waitUntil(() => ended, { message: 'the session to start' });
    return (await ended) as SessionSummary;
  };
  return { server, logs, send, sent: () => sent, session, metrics, end, fdsBefore };
}

/** The call's WAV, checked strictly (header sizes match the file), and its frames split into tone / zero / other. */
async function framesOf(summary: SessionSummary) {
  const wav = readWav(await readFile(join(summary.recordingDir!, summary.participants[0].file!)));
  let toneFrames = 0;
  let zeroFrames = 0;
  for (let f = 0; f < wav.samples.length / SPF; f++) {
    const frame = wav.samples.subarray(f * SPF, (f + 1) * SPF);
    if (frame.every((v, i) => v === TONE[i])) toneFrames++;
    else if (frame.every((v) => v === 0)) zeroFrames++;
  }
  return { samples: wav.samples, toneFrames, zeroFrames, last: wav.samples.subarray(wav.samples.length - SPF) };
}

async function checkFinished(call: Awaited<ReturnType<typeof oneCall>>, summary: SessionSummary, reason: string): Promise<void> {
  const { samples, toneFrames, zeroFrames, last } = await framesOf(summary);
  assert.equal(samples.length, call.sent() * SPF, 'the WAV lines up with the timeline: lost frames kept their place');
  assert.deepEqual([...last], [...TONE], 'the recording resumed: the last frame is the caller audio');
  const lost = summary.counts.recordingDropped;
  assert.ok(lost > 0, 'the lost frames are counted');
  // A frame cut by a short write is partly audio: each failure episode can leave one such frame.
  assert.ok(toneFrames + zeroFrames >= call.sent() - 4 && zeroFrames >= lost - 1, `tone ${toneFrames}, zeros ${zeroFrames}, lost ${lost}`);
  const json = JSON.parse(await readFile(join(summary.recordingDir!, 'session.json'), 'utf8'));
  assert.equal(json.recordingIncomplete, true);
  assert.ok(json.recordingFailures[reason] >= 1, `session.json counts ${reason}: ${JSON.stringify(json.recordingFailures)}`);
  assert.deepEqual((await readdir(summary.recordingDir!)).filter((f) => f.endsWith('.tmp')), [], 'no temp file left behind');
  const metrics = await call.metrics();
  assert.ok(metricValue(metrics, 'acs_audio_recording_failures_total', `reason="${reason}"`) >= 1);
  assert.equal(metricValue(metrics, 'acs_audio_recording_dropped_frames_total'), lost);
  const failures = call.logs.filter((l) => /writing the recording failed/.test(l.msg));
  assert.equal(failures.length, 1, 'the failure is logged once for the call');
  assert.equal(call.logs.filter((l) => /recording resumed/.test(l.msg)).length, 1, 'the recovery is logged once');
  await waitUntil(() => openFds() <= call.fdsBefore, { message: `file handles to be closed (${openFds()} open, ${call.fdsBefore} before)` });
}

test('the disk fills up mid-call (a real tmpfs): frames lost are counted, the WAV is finished and closed, recording resumes when space returns', async (t) => {
  const disk = await smallDisk(t);
  if (disk === undefined) return t.skip('mounting a tmpfs is not allowed here');
  const call = await oneCall(disk);
  t.after(() => call.server.close());
  await call.send(50);
  // Leave ~64 KB: the next ~100 frames (640 B each, plus session.json) fill it.
  const { bavail, bsize } = await statfs(disk);
  const filler = join(disk, 'filler');
  await writeFile(filler, Buffer.alloc(Math.max(0, bavail * bsize - 64 * 1024)));
  await call.send(300);
  await waitUntil(async () => metricValue(await call.metrics(), 'acs_audio_recording_failures_total', 'reason="disk_full"') > 0, { message: 'a disk_full failure' });
  assert.equal(call.session().summary().counts.framesReceived, 350, 'ingest went on');
  await rm(filler);
  await call.send(100);
  await waitUntil(() => call.logs.some((l) => /recording resumed/.test(l.msg)), { message: 'the recording to resume' });
  await call.send(50);
  await checkFinished(call, await call.end(), 'disk_full');
});

test('the session folder is deleted mid-call: it is made again, the WAV starts anew at its place, the deleted files are closed', async (t) => {
  const call = await oneCall(await tempDirUntilExit('disk-deleted-'));
  t.after(() => call.server.close());
  await call.send(100);
  const dir = call.session().summary().recordingDir!;
  await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 5 }); // retried: the server may be writing in it
  await call.send(200);
  await waitUntil(() => call.logs.some((l) => /recording resumed/.test(l.msg)), { message: 'the recording to resume' });
  await call.send(50);
  const summary = await call.end();
  await checkFinished(call, summary, 'folder_missing');
  const { toneFrames } = await framesOf(summary);
  assert.ok(toneFrames >= 50, 'the audio after the folder came back is recorded');
});

test('a recordings folder that cannot be written is refused at start with a clear message (checkRecordingsFolder, as serve runs it)', async () => {
  const root = await tempDirUntilExit('disk-check-');
  await checkRecordingsFolder(join(root, 'fresh', 'recordings'));
  const file = join(root, 'a-file');
  await writeFile(file, 'not a folder');
  await assert.rejects(checkRecordingsFolder(join(file, 'recordings')), (err: unknown) => {
    assert.ok(isMediaError(err, 'ERR_MEDIA_RECORDINGS_FOLDER_UNUSABLE'));
    assert.match((err as Error).message, /a-file\/recordings cannot be written \(folder_missing: .*\); pass a writable folder with --recordings/);
    return true;
  });
});
