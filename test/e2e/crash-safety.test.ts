// Crash safety: the server is killed with SIGKILL mid-call; on restart it repairs the recordings, which hold all the
// audio up to at most one second before the kill.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { formatTimestamp, serializePacket } from '../../src/protocol/index.js';
import { encodeWav, readWav } from '../../src/audio/index.js';
import { createMediaServer } from '../../src/server/index.js';
import { pino } from 'pino';
import { startServe, type ServeProcess } from '../cli/serve-process.js';
import { tempDirUntilExit } from '../temp-dir.js';
import { waitUntil } from '../wait-until.js';

function startServeRecordingTo(dir: string): ServeProcess {
  return startServe(['--port', '0', '--recordings', dir, '--auth', 'off']);
}

test('after SIGKILL mid-call, a restart repairs the WAVs and they hold the audio up to one second before the kill', async (t) => {
  const dir = await tempDirUntilExit('crash-');
  const first = startServeRecordingTo(dir);
  t.after(() => first.child.kill('SIGKILL'));
  const ws = new WebSocket(await first.ready);
  await once(ws, 'open');
  ws.send(serializePacket({ kind: 'AudioMetadata', subscriptionId: 'crash-sub', encoding: 'PCM', sampleRate: 16000, channels: 1, length: 640 }));
  const t0 = Date.now();
  let sent = 0;
  const samples = new Int16Array(320).fill(1234);
  // Real-time pacing for 2.5 s, so the server's once-a-second flushes happen as in production.
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.floor((Date.now() - t0) / 20);
      while (sent <= due && sent < 125) {
        const ms = t0 + sent * 20;
        ws.send(serializePacket({ kind: 'AudioData', timestamp: formatTimestamp(ms), timestampMs: ms, participantRawID: '4:+15551230001', silent: false, samples }));
        sent++;
      }
      if (sent >= 125) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  await new Promise((r) => setTimeout(r, 100));
  first.child.kill('SIGKILL');
  await once(first.child, 'exit');
  ws.terminate();

  const second = startServeRecordingTo(dir);
  t.after(() => second.child.kill('SIGKILL'));
  await second.ready;
  const [day] = await readdir(dir);
  const [session] = await readdir(join(dir, day));
  const files = (await readdir(join(dir, day, session))).filter((f) => f.endsWith('.wav'));
  assert.ok(files.length >= 1, `WAVs: ${files.join(', ')}`);
  for (const file of files) {
    const wav = readWav(await readFile(join(dir, day, session, file))); // strict: throws on a damaged header
    const frames = wav.samples.length / 320;
    assert.ok(frames >= sent - 50 && frames <= sent + 1, `${file}: ${frames} frames kept of ${sent} sent (at most one second lost)`);
  }
  // The writer keeps headers consistent at every flush, so a kill usually leaves them healthy; either way the startup
  // check must have looked at every WAV.
  const check = /"checked":(\d+)/.exec(second.log());
  assert.ok(check, `startup repair check not logged: ${second.log()}`);
  assert.ok(Number(check[1]) >= files.length);
  second.child.kill('SIGTERM');
  await once(second.child, 'exit');
});

test('a WAV whose header lags its data (killed between the two writes) is repaired when the server starts', async () => {
  const dir = await tempDirUntilExit('crash-');
  const folder = join(dir, '2026-11-25', 'sess-1');
  await mkdir(folder, { recursive: true });
  const pcm = new Int16Array(16000).fill(500); // one second, 16 kHz
  const whole = encodeWav(pcm, 16000);
  // Header says half a second; the file holds one second of data.
  const lagging = Buffer.from(whole);
  lagging.writeUInt32LE(16000, 40);
  lagging.writeUInt32LE(36 + 16000, 4);
  await writeFile(join(folder, 'mixdown.wav'), lagging);

  const server = createMediaServer({ port: 0, recordingsDir: dir, auth: 'off', logger: pino({ level: 'silent' }) });
  await server.listen();
  await server.close();
  const repaired = readWav(await readFile(join(folder, 'mixdown.wav')));
  assert.equal(repaired.samples.length, 16000);
});

/** session.json of the one session recorded under `dir`, once it exists. */
async function sessionSummary(dir: string): Promise<{ state: string } | undefined> {
  const [day] = await readdir(dir).catch(() => []);
  const [session] = day === undefined ? [] : await readdir(join(dir, day));
  if (session === undefined) return undefined;
  return readFile(join(dir, day, session, 'session.json'), 'utf8').then((text) => JSON.parse(text) as { state: string }, () => undefined);
}

test('after SIGKILL mid-call, the restarted server lists the call as ended (crashed), not streaming forever', async (t) => {
  const dir = await tempDirUntilExit('crash-');
  const first = startServeRecordingTo(dir);
  t.after(() => first.child.kill('SIGKILL'));
  const ws = new WebSocket(await first.ready);
  t.after(() => ws.terminate());
  await once(ws, 'open');
  ws.send(serializePacket({ kind: 'AudioMetadata', subscriptionId: 'crash-sub-2', encoding: 'PCM', sampleRate: 16000, channels: 1, length: 640 }));
  const samples = new Int16Array(320).fill(1234);
  const t0 = Date.now();
  let sent = 0;
  const timer = setInterval(() => {
    for (const due = Math.floor((Date.now() - t0) / 20); sent <= due; sent++) {
      const ms = t0 + sent * 20;
      ws.send(serializePacket({ kind: 'AudioData', timestamp: formatTimestamp(ms), timestampMs: ms, participantRawID: '4:+15551230002', silent: false, samples }));
    }
  }, 5);
  t.after(() => clearInterval(timer));
  // Killed while streaming, once the server has written a summary that says so.
  await waitUntil(async () => (await sessionSummary(dir))?.state === 'streaming', { timeoutMs: 20_000, message: 'session.json saying streaming' });
  first.child.kill('SIGKILL');
  await once(first.child, 'exit');
  clearInterval(timer);

  const second = startServeRecordingTo(dir);
  t.after(() => second.child.kill('SIGKILL'));
  const origin = new URL((await second.ready).replace(/^ws/, 'http')).origin;
  const { recordings } = (await (await fetch(`${origin}/api/recordings`)).json()) as {
    recordings: Array<{ session?: Record<string, unknown> & { state: string; participants: Array<{ frames: number }> } }>;
  };
  assert.equal(recordings.length, 1);
  const summary = recordings[0].session;
  assert.equal(summary?.state, 'ended', JSON.stringify(summary));
  assert.match(String(summary.endReason), /^crashed: the server stopped while the session was streaming/);
  assert.equal(typeof summary.repairedAt, 'string');
  assert.equal(typeof summary.endedAt, 'string');
  const frames = summary.participants[0]?.frames ?? 0;
  assert.ok(frames >= sent - 50 - 5 && frames <= sent + 1, `session.json: ${frames} frames of ${sent} sent (at most about a second lost)`);
});
