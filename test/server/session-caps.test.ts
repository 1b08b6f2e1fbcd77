// Sessions and recording files are bounded, not only sockets: interrupted sessions (waiting for a reconnect) count
// against --max-sessions, open WAVs against --max-recording-files; a new session past either is closed with 4005 and
// counted, reconnects of held sessions still go through, a track past the file limit is counted as lost, and
// everything is released when sessions end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MediaSession, SessionSummary } from '../../src/server/index.js';
import { waitUntil } from '../wait-until.js';
import { audio, closedWith, connect, metadata, metricValue, startServer } from './wire.js';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');

async function metrics(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

test('interrupted sessions count against maxSessions: a new session past it gets 4005, a reconnect still continues its session', async (t) => {
  const { server, url, wsUrl } = await startServer({ media: { maxSessions: 2, reconnectGraceMs: 1500 } });
  t.after(() => server.close());
  const ended = new Map<string, Promise<SessionSummary>>();
  server.on('session', (s: MediaSession) => ended.set(s.subscriptionId!, new Promise((resolve) => s.once('end', resolve))));
  for (const sub of ['sub-1', 'sub-2']) {
    const ws = await connect(wsUrl);
    ws.send(metadata(sub, 16000));
    for (let i = 0; i < 10; i++) ws.send(audio(T0, i, 16000));
    await waitUntil(() => server.hub.sessions().find((s) => s.subscriptionId === sub)?.summary().counts.framesReceived === 10, { message: `${sub}'s frames` });
    ws.terminate(); // dropped without a close frame: the session waits for a reconnect, holding its files
  }
  await waitUntil(() => server.hub.sessions().filter((s) => s.state === 'interrupted').length === 2, { message: 'both sessions interrupted' });

  const third = await connect(wsUrl);
  third.send(metadata('sub-3', 16000));
  const { code, reason } = await closedWith(third);
  assert.equal(code, 4005);
  assert.match(reason, /2 sessions \(live or waiting for a reconnect; maxSessions \/ --max-sessions\); try again later/);
  const text = await metrics(url);
  assert.equal(metricValue(text, 'acs_audio_limit_closures_total', 'limit="sessions"'), 1);
  assert.equal(metricValue(text, 'acs_audio_rejected_packets_total', 'reason="session_limit"'), 1);
  assert.equal(server.hub.stats().sessionsTotal, 2, 'the refused socket started no session');

  const back = await connect(wsUrl);
  back.send(metadata('sub-1', 16000));
  for (let i = 10; i < 20; i++) back.send(audio(T0, i, 16000));
  await waitUntil(() => server.hub.sessions().find((s) => s.subscriptionId === 'sub-1')?.summary().counts.framesReceived === 20, { message: 'the reconnect to continue sub-1' });
  assert.equal(server.hub.sessions().find((s) => s.subscriptionId === 'sub-1')!.state, 'streaming');

  await ended.get('sub-2'); // its grace ran out: a place is free again
  const fourth = await connect(wsUrl);
  fourth.send(metadata('sub-4', 16000));
  await waitUntil(() => server.hub.sessions().some((s) => s.subscriptionId === 'sub-4' && s.state === 'streaming'), { message: 'sub-4 to start' });
  back.close(1000);
  fourth.close(1000);
});

test('open recording files are bounded: tracks past maxRecordingFiles are counted as lost, a new session is refused with 4005 until files close', async (t) => {
  const { server, url, wsUrl } = await startServer({ media: { maxRecordingFiles: 3, flushIntervalMs: 20 } });
  t.after(() => server.close());
  let ended: Promise<SessionSummary> | undefined;
  server.on('session', (s: MediaSession) => (ended ??= new Promise((resolve) => s.once('end', resolve))));
  const ws = await connect(wsUrl);
  ws.send(metadata('sub-files', 16000));
  const people = ['4:+15550000001', '4:+15550000002', '4:+15550000003', '4:+15550000004'];
  for (let i = 0; i < 50; i++) for (const p of people) ws.send(audio(T0, i, 16000, p));
  // mixdown.wav and the first two tracks take the three files.
  await waitUntil(async () => metricValue(await metrics(url), 'acs_audio_recording_failures_total', 'reason="file_limit"') === 2, { message: 'two tracks past the file limit' });
  assert.equal(metricValue(await metrics(url), 'acs_audio_recording_files_open'), 3);

  const other = await connect(wsUrl);
  other.send(metadata('sub-other', 16000));
  const { code, reason } = await closedWith(other);
  assert.equal(code, 4005);
  assert.match(reason, /3 open recording files \(maxRecordingFiles \/ --max-recording-files\)/);

  ws.close(1000);
  const summary = await ended!;
  assert.equal(summary.counts.recordingDropped, 100, "the two unrecorded tracks' frames are counted as lost");
  assert.deepEqual(summary.participants.map((p) => p.file !== undefined), [true, true, false, false], 'session.json names only files that exist');
  const json = JSON.parse(await readFile(join(summary.recordingDir!, 'session.json'), 'utf8'));
  assert.equal(json.recordingIncomplete, true);
  assert.equal(json.recordingFailures.file_limit, 2);
  await waitUntil(async () => metricValue(await metrics(url), 'acs_audio_recording_files_open') === 0, { message: 'every file closed' });
  const after = await connect(wsUrl);
  after.send(metadata('sub-after', 16000));
  await waitUntil(() => server.hub.sessions().some((s) => s.subscriptionId === 'sub-after' && s.state === 'streaming'), { message: 'a new session once files are free' });
  after.close(1000);
});
