// `acs-audio serve --workers 2` as a user runs it: real processes behind one port on 127.0.0.1, plain ws clients as
// ACS. Calls spread over both workers, a call's reconnect stays with its session, and the sessions API, talk-back and
// /metrics answer for the whole server from either worker; a killed worker is restarted and its recording repaired.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { encodeWav, readWav } from '../../src/audio/index.js';
import type { WorkerSessionSummary } from '../../src/server/index.js';
import { slotFor } from '../../src/server/workers/routing.js';
import { startServe, type ServeProcess } from './serve-process.js';
import { tempDirUntilExit } from '../temp-dir.js';
import { audio, metadata, metricValue, tone } from '../server/wire.js';
import { waitUntil } from '../wait-until.js';

let serve: ServeProcess;
let base: string;
let wsUrl: string;
let dir: string;
const sockets: WebSocket[] = [];

/** One HTTP request on a connection of its own (the primary picks a worker per connection, in turn). */
function call(method: string, path: string, body?: Uint8Array): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, agent: false, headers: body ? { 'content-type': 'audio/wav' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.once('error', reject);
    req.end(body);
  });
}

async function sessions(): Promise<WorkerSessionSummary[]> {
  return (JSON.parse((await call('GET', '/api/sessions')).text) as { sessions: WorkerSessionSummary[] }).sessions;
}

async function sessionOf(subscriptionId: string): Promise<WorkerSessionSummary | undefined> {
  return (await sessions()).find((s) => s.subscriptionId === subscriptionId && s.state !== 'ended');
}

/** A call id whose hash picks worker `slot` of 2. */
function callIdFor(slot: number, tag: string): string {
  for (let n = 0; ; n++) if (slotFor(`${tag}-${n}`, 2) === slot) return `${tag}-${n}`;
}

/** Connects as ACS for call `callId` and streams `frames` frames of 16 kHz audio after its metadata. */
async function stream(callId: string, subscriptionId: string, frames: number, t0 = Date.now(), from = 0): Promise<WebSocket> {
  const ws = new WebSocket(wsUrl, { headers: { 'x-ms-call-connection-id': callId } });
  sockets.push(ws);
  await once(ws, 'open');
  ws.send(metadata(subscriptionId, 16000));
  for (let i = from; i < from + frames; i++) ws.send(audio(t0, i, 16000));
  return ws;
}

before(async () => {
  dir = await tempDirUntilExit('serve-workers-');
  serve = startServe(['--port', '0', '--recordings', dir, '--auth', 'off', '--workers', '2']);
  wsUrl = await serve.ready;
  base = wsUrl.replace(/^ws/, 'http').replace(/\/ws$/, '');
  // The first worker's ingest line comes before the other worker is ready; the primary says when both are.
  await waitUntil(() => /2 workers take calls/.test(serve.log()), { timeoutMs: 90_000, message: () => `both workers ready:\n${serve.log()}` });
});

after(() => {
  for (const ws of sockets) ws.terminate();
  serve.child.kill('SIGKILL');
});

test('calls spread over both workers; /api/sessions from either worker lists every call with its worker\'s pid', async () => {
  await stream(callIdFor(0, 'spread'), 'sub-spread-0', 5);
  await stream(callIdFor(1, 'spread'), 'sub-spread-1', 5);
  // Two requests in a row reach the two workers in turn: both must see both calls.
  for (let i = 0; i < 2; i++) {
    const listed = await waitUntil(async () => {
      const all = (await sessions()).filter((s) => s.subscriptionId?.startsWith('sub-spread-'));
      return all.length === 2 && all.every((s) => s.counts.framesReceived === 5) ? all : undefined;
    }, { message: 'both calls listed with their 5 frames' });
    assert.equal(new Set(listed.map((s) => s.pid)).size, 2, `the two calls on two processes: ${JSON.stringify(listed.map((s) => [s.subscriptionId, s.worker, s.pid]))}`);
    assert.notEqual(listed[0].pid, serve.child.pid, 'no call on the primary');
  }
});

test('a reconnect with the same x-ms-call-connection-id reaches the same worker and continues the session', async () => {
  const callId = callIdFor(1, 'reconnect');
  const t0 = Date.now();
  const first = await stream(callId, 'sub-reconnect', 5, t0);
  const before = await waitUntil(async () => {
    const s = await sessionOf('sub-reconnect');
    return s?.counts.framesReceived === 5 ? s : undefined;
  }, { message: 'the first socket\'s 5 frames' });
  first.terminate();
  await waitUntil(async () => (await sessionOf('sub-reconnect'))?.state === 'interrupted', { message: 'the session to notice the lost socket' });
  await stream(callId, 'sub-reconnect', 5, t0, 5);
  const afterReconnect = await waitUntil(async () => {
    const s = await sessionOf('sub-reconnect');
    return s?.counts.framesReceived === 10 ? s : undefined;
  }, { message: 'the reconnected socket\'s frames counted in the same session' });
  assert.equal(afterReconnect.id, before.id);
  assert.equal(afterReconnect.pid, before.pid);
  assert.equal(afterReconnect.counts.connections, 2);
});

test('talk-back and stop-audio reach a call whichever worker answers the request', async () => {
  const ws = await stream(callIdFor(0, 'talk'), 'sub-talk', 1);
  let heard = 0;
  let stops = 0;
  ws.on('message', (data) => {
    const { kind } = JSON.parse(String(data)) as { kind: string };
    if (kind === 'audioData') heard++;
    if (kind === 'stopAudio') stops++;
  });
  const session = await waitUntil(() => sessionOf('sub-talk'), { message: 'the talk-back call listed' });
  const wav = new Uint8Array(encodeWav(tone(1600), 16000));
  // Consecutive requests go to the two workers in turn: one is the session's, the other forwards it.
  for (let i = 0; i < 2; i++) {
    const play = await call('POST', `/api/sessions/${session.id}/play`, wav);
    assert.equal(play.status, 202, play.text);
    const stop = await call('POST', `/api/sessions/${session.id}/stop-audio`);
    assert.equal(stop.status, 202, stop.text);
  }
  await waitUntil(() => stops === 2 && heard > 0, { message: () => `2 StopAudio and some talk-back audio (${stops}, ${heard})` });
  const missing = await call('POST', '/api/sessions/no-such-session/stop-audio');
  assert.equal(missing.status, 404);
});

test('/metrics sums every worker\'s figures and shows each worker\'s event-loop utilization', async () => {
  const live = (await sessions()).filter((s) => s.state !== 'ended' && s.state !== 'failed').length;
  const text = (await call('GET', '/metrics')).text;
  assert.equal(metricValue(text, 'acs_audio_sessions_active'), live);
  assert.equal(metricValue(text, 'acs_audio_workers'), 2);
  assert.match(text, /acs_audio_worker_event_loop_utilization\{worker="0",pid="\d+"\}/);
  assert.match(text, /acs_audio_worker_event_loop_utilization\{worker="1",pid="\d+"\}/);
});

test('a callback reaching one worker is applied by every worker: GET /api/calls from either lists the call', async () => {
  const event = { id: 'e1', source: 'calling/callConnections/cb-call', type: 'Microsoft.Communication.CallConnected', data: { callConnectionId: 'cb-call' }, time: '2026-12-02T10:00:00Z', specversion: '1.0' };
  const posted = await new Promise<number>((resolve, reject) => {
    const req = request(`${base}/api/callbacks`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end(JSON.stringify([event]));
  });
  assert.equal(posted, 200);
  const listed = async () => {
    const { calls } = JSON.parse((await call('GET', '/api/calls')).text) as { calls: Array<{ callConnectionId: string }> };
    return calls.some((c) => c.callConnectionId === 'cb-call');
  };
  // Two requests in a row reach both workers: both must know the call (it reaches the other one over IPC, shortly).
  await waitUntil(async () => (await listed()) && (await listed()), { message: 'the call listed by both workers' });
  const text = (await call('GET', '/metrics')).text;
  assert.equal(metricValue(text, 'acs_audio_callbacks_total', 'type="CallConnected"'), 1, 'counted once, by the worker it reached');
});

test('a killed worker is restarted, its recording repaired, and the other worker\'s calls go on', async () => {
  const t0 = Date.now();
  const doomed = await stream(callIdFor(0, 'kill'), 'sub-kill-0', 25, t0);
  const survivor = await stream(callIdFor(1, 'kill'), 'sub-kill-1', 5, t0);
  const victim = await waitUntil(async () => {
    const s = await sessionOf('sub-kill-0');
    return s?.counts.framesWritten === 25 ? s : undefined;
  }, { message: 'the doomed call\'s 25 frames on disk' });
  const track = join(victim.recordingDir!, 'mixed.wav');
  // Flushed to the file (the header is only rewritten at the end): what a crash leaves for the repair.
  await waitUntil(async () => ((await stat(track).catch(() => undefined))?.size ?? 0) >= 44 + 25 * 640, { message: 'the 25 frames in the file' });
  const other = await waitUntil(() => sessionOf('sub-kill-1'), { message: 'the surviving call' });
  assert.notEqual(victim.pid, other.pid);
  const closed = once(doomed, 'close');
  process.kill(victim.pid, 'SIGKILL');
  await closed;
  for (let i = 5; i < 10; i++) survivor.send(audio(t0, i, 16000));
  await waitUntil(async () => (await sessionOf('sub-kill-1'))?.counts.framesReceived === 10, { message: 'the other worker\'s call to go on' });
  // The dead worker held the earlier tests' calls too: each of its sessions is repaired in turn, this one among them.
  const repairedLine = (line: string) => line.includes('repaired a session a dead worker left') && line.includes(JSON.stringify(victim.recordingDir));
  await waitUntil(() => serve.log().split('\n').some(repairedLine), { timeoutMs: 30_000, message: 'the dead worker\'s session repaired' });
  const wav = readWav(await readFile(track));
  assert.equal(wav.samples.length, 25 * 320);
  const restarted = await waitUntil(async () => {
    const text = (await call('GET', '/metrics')).text;
    const pids = [...text.matchAll(/acs_audio_worker_event_loop_utilization\{worker="0",pid="(\d+)"\}/g)].map((m) => Number(m[1]));
    return pids.length === 1 && pids[0] !== victim.pid ? pids[0] : undefined;
  }, { timeoutMs: 90_000, message: 'worker 0 back under a new pid' });
  assert.ok(restarted > 0);
  // The restarted worker takes its calls again.
  await stream(callIdFor(0, 'after'), 'sub-after', 3);
  const back = await waitUntil(async () => {
    const s = await sessionOf('sub-after');
    return s?.counts.framesReceived === 3 ? s : undefined;
  }, { message: 'a new call on the restarted worker' });
  assert.equal(back.pid, restarted);
});
