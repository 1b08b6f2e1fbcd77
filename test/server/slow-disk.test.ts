// A disk that stalls or fills up under one call (injected through openRecordingFile around real files): ingest goes
// on for every call, the stalled call's recording memory stays under its bound, the loss is counted and logged, and
// that call's session.json says so. The other call's recording is complete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import type { OpenFile } from '../../src/audio/index.js';
import { readWav } from '../../src/audio/index.js';
import type { MediaSession, SessionSummary } from '../../src/server/index.js';
import { audio, connect, metadata, startServer } from './wire.js';
import { waitUntil } from '../wait-until.js';

const T0 = Date.parse('2025-07-01T09:00:00.000Z');
const UNLUCKY = '4:+15550000666';
const LUCKY = '4:+15550000111';
// Large enough that the healthy call never drops while a loaded machine delays a few 20 ms flushes; the stalled call
// (640 B a frame into two files) passes it after ~130 of its 400 frames.
const BOUND = 160 * 1024;
const FRAMES = 400;

/** Real files; writes into the unlucky call's folder wait for `release()` (stall) or, until then, fail as a
 *  read-only file system does (EROFS). */
function faultyDisk(mode: 'stall' | 'readOnly') {
  const faultyDirs = new Set<string>();
  let released = false;
  let wake: Array<() => void> = [];
  let writes = 0;
  const openFile: OpenFile = async (path, flags) => {
    const handle = await open(path, flags);
    if (path.includes('15550000666')) faultyDirs.add(dirname(path));
    if (!faultyDirs.has(dirname(path))) return handle;
    return new Proxy(handle, {
      get(target, prop) {
        if (prop === 'write') {
          return async (...args: Parameters<typeof target.write>) => {
            if (mode === 'readOnly' && !released && ++writes > 2) throw Object.assign(new Error('EROFS: read-only file system, write'), { code: 'EROFS' });
            if (mode === 'stall' && !released) await new Promise<void>((resolve) => wake.push(resolve));
            return target.write(...args);
          };
        }
        const value = Reflect.get(target, prop) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  };
  return {
    openFile,
    release() {
      released = true;
      for (const resolve of wake) resolve();
      wake = [];
    },
  };
}

async function twoCalls(mode: 'stall' | 'readOnly') {
  const disk = faultyDisk(mode);
  const logs: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const { server, wsUrl } = await startServer({ logger, media: { maxRecordingQueueBytes: BOUND, flushIntervalMs: 20, openRecordingFile: disk.openFile } });
  const ended = new Map<string, Promise<SessionSummary>>();
  server.on('session', (s: MediaSession) => ended.set(s.subscriptionId!, new Promise((resolve) => s.once('end', resolve))));
  const unlucky = await connect(wsUrl);
  const lucky = await connect(wsUrl);
  unlucky.send(metadata('sub-unlucky', 16000));
  lucky.send(metadata('sub-lucky', 16000));
  let peakQueue = 0;
  for (let i = 0; i < FRAMES; i++) {
    unlucky.send(audio(T0, i, 16000, UNLUCKY));
    lucky.send(audio(T0, i, 16000, LUCKY));
    if (i % 20 === 19) {
      await new Promise((r) => setTimeout(r, 50)); // 20× real time: a healthy disk keeps up with room to spare
      const session = server.hub.sessions().find((s) => s.subscriptionId === 'sub-unlucky') as unknown as { recordingQueueBytes: number } | undefined;
      peakQueue = Math.max(peakQueue, session?.recordingQueueBytes ?? 0);
    }
  }
  await waitUntil(() => server.hub.stats().messages.received === 2 * (FRAMES + 1), { message: 'both calls\' metadata and frames to arrive' });
  return { server, disk, logs, unlucky, lucky, ended, peakQueue: () => peakQueue };
}

test('a stalled disk under one call: frames past the bound are dropped, counted, logged and in session.json; the other call is complete', async () => {
  const { server, disk, logs, unlucky, lucky, ended, peakQueue } = await twoCalls('stall');
  try {
    const unluckySession = server.hub.sessions().find((s) => s.subscriptionId === 'sub-unlucky')!;
    assert.equal(unluckySession.summary().counts.framesReceived, FRAMES, 'ingest went on for the stalled call');
    assert.ok(peakQueue() <= BOUND, `recording memory ${peakQueue()} B stayed under the ${BOUND} B bound`);
    assert.ok(server.hub.stats().recordingDroppedFrames > 0);
    assert.ok(logs.some((l) => /recording queue full/.test(l.msg)), 'the drop was logged');
    const metrics = await (await fetch(`http://127.0.0.1:${server.address()!.port}/metrics`)).text();
    assert.match(metrics, /acs_audio_recording_dropped_frames_total [1-9]/);

    disk.release();
    unlucky.close(1000);
    lucky.close(1000);
    const bad = await ended.get('sub-unlucky')!;
    const good = await ended.get('sub-lucky')!;
    assert.ok(bad.counts.recordingDropped > 0);
    const json = JSON.parse(await readFile(join(bad.recordingDir!, 'session.json'), 'utf8'));
    assert.equal(json.recordingIncomplete, true);
    assert.equal(json.counts.recordingDropped, bad.counts.recordingDropped);
    // Dropped frames became silence in place: the file still lines up with the timeline.
    const badWav = readWav(await readFile(join(bad.recordingDir!, bad.participants[0].file!)));
    assert.equal(badWav.samples.length, FRAMES * 320);

    assert.equal(good.counts.recordingDropped, 0);
    const goodJson = JSON.parse(await readFile(join(good.recordingDir!, 'session.json'), 'utf8'));
    assert.equal(goodJson.recordingIncomplete, false);
    const goodWav = readWav(await readFile(join(good.recordingDir!, good.participants[0].file!)));
    assert.equal(goodWav.samples.length, FRAMES * 320);
  } finally {
    disk.release();
    await server.close();
  }
});

test('a read-only disk under one call: the loss is counted by reason, logged once, the WAV finished and aligned; recording resumes; the other call is complete', async () => {
  const { server, disk, logs, unlucky, lucky, ended } = await twoCalls('readOnly');
  try {
    const unluckySession = server.hub.sessions().find((s) => s.subscriptionId === 'sub-unlucky')!;
    assert.equal(unluckySession.summary().counts.framesReceived, FRAMES, 'ingest went on for the call whose disk is read-only');
    const port = server.address()!.port;
    await waitUntil(async () => /acs_audio_recording_failures_total\{reason="read_only"\} [1-9]/.test(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()), {
      message: 'read_only failures in /metrics',
    });
    disk.release();
    for (let i = FRAMES; i < FRAMES + 50; i++) unlucky.send(audio(T0, i, 16000, UNLUCKY));
    await waitUntil(() => unluckySession.summary().counts.framesReceived === FRAMES + 50, { message: 'the frames after the disk came back' });
    unlucky.close(1000);
    lucky.close(1000);
    const bad = await ended.get('sub-unlucky')!;
    const good = await ended.get('sub-lucky')!;
    const json = JSON.parse(await readFile(join(bad.recordingDir!, 'session.json'), 'utf8'));
    assert.equal(json.recordingIncomplete, true);
    assert.ok(json.recordingFailures.read_only >= 1, 'session.json counts the failures by reason');
    assert.deepEqual(json.sinkErrors, [], 'the recorder was not detached');
    assert.ok(bad.counts.recordingDropped > 0 && bad.counts.recordingDropped <= FRAMES, `the frames lost are counted once each: ${bad.counts.recordingDropped}`);
    const badWav = readWav(await readFile(join(bad.recordingDir!, bad.participants[0].file!)));
    assert.equal(badWav.samples.length, (FRAMES + 50) * 320, 'the WAV is finished and lines up with the timeline');
    assert.ok(badWav.samples.subarray(-320).some((v) => v !== 0), 'the recording resumed');
    assert.equal(logs.filter((l) => /writing the recording failed/.test(l.msg)).length, 1, 'the failure was logged once');
    const goodWav = readWav(await readFile(join(good.recordingDir!, good.participants[0].file!)));
    assert.equal(goodWav.samples.length, FRAMES * 320);
    assert.equal(good.counts.recordingDropped, 0);
  } finally {
    disk.release();
    await server.close();
  }
});
