// `acs-audio call ...` against the emulator, through the official SDK, as a user would type it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { createEmulator } from '../../src/emulator/index.js';
import { waitUntil } from '../wait-until.js';

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  return once(child, 'exit').then(([code]) => ({ code: code as number | null, stdout, stderr }));
}

test('call create, show, stream start/stop and hangup work against the emulator through the SDK', async () => {
  const emulator = createEmulator({ port: 0, speed: 10 });
  const { connectionString } = await emulator.listen();
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  let connections = 0;
  wss.on('connection', () => connections++);
  const streamUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`;
  const env = { ACS_CONNECTION_STRING: connectionString };
  try {
    const created = await run(['call', 'create', '--to', '+15551234567', '--callback', 'http://127.0.0.1:9/cb', '--stream-url', streamUrl, '--json'], env);
    assert.equal(created.code, 0, created.stderr);
    const id = JSON.parse(created.stdout).callConnectionId as string;
    await waitUntil(() => emulator.getCall(id)?.state === 'connected', { intervalMs: 20, message: () => `call ${id} connected (${emulator.getCall(id)?.state})` });

    const started = await run(['call', 'stream', 'start', id, '--context', 'cli'], env);
    assert.equal(started.code, 0, started.stderr);
    await waitUntil(() => connections > 0, { intervalMs: 20, message: 'the media WebSocket to connect' });

    const shown = await run(['call', 'show', id, '--json'], env);
    assert.equal(shown.code, 0, shown.stderr);
    const description = JSON.parse(shown.stdout);
    assert.equal(description.state, 'connected');
    assert.equal(description.mediaStreaming.state, 'active');
    assert.deepEqual(description.participants.map((p: { rawId: string }) => p.rawId), ['4:+15551234567']);

    const stopped = await run(['call', 'stream', 'stop', id], env);
    assert.equal(stopped.code, 0, stopped.stderr);
    const hungUp = await run(['call', 'hangup', id], env);
    assert.equal(hungUp.code, 0, hungUp.stderr);
    assert.equal(emulator.getCall(id)?.state, 'disconnected');
  } finally {
    wss.close();
    await emulator.close();
  }
});

test('call commands explain a missing connection string, a wrong key and a non-WebSocket stream URL', async () => {
  const missing = await run(['call', 'show', 'x'], { ACS_CONNECTION_STRING: '' });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /ACS_CONNECTION_STRING/);
  const emulator = createEmulator({ port: 0 });
  const { connectionString } = await emulator.listen();
  try {
    const wrongKey = connectionString.replace(/accesskey=.*/, `accesskey=${Buffer.alloc(32, 1).toString('base64')}`);
    const denied = await run(['call', 'show', 'x'], { ACS_CONNECTION_STRING: wrongKey });
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /401/);
    const scheme = await run(['call', 'create', '--to', '+15551234567', '--callback', 'http://127.0.0.1:9/cb', '--stream-url', 'https://example.org/ws'], { ACS_CONNECTION_STRING: connectionString });
    assert.equal(scheme.code, 1);
    assert.match(scheme.stderr, /wss:\/\//);
  } finally {
    await emulator.close();
  }
});

test('call show against an endpoint that never answers gives up after --timeout with a message', async (t) => {
  const sockets = new Set<import('node:net').Socket>();
  const silent = (await import('node:net')).createServer((socket) => sockets.add(socket)); // accepts, never answers
  silent.listen(0, '127.0.0.1');
  await once(silent, 'listening');
  t.after(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });
  const { port } = silent.address() as AddressInfo;
  const cs = `endpoint=http://127.0.0.1:${port}/;accesskey=${Buffer.from('k'.repeat(32)).toString('base64')}`;
  const started = Date.now();
  const result = await run(['call', 'show', 'some-call', '--connection-string', cs, '--timeout', '1500']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /no answer from http:\/\/127\.0\.0\.1:\d+\/ within 1500 ms/);
  assert.ok(Date.now() - started < 15_000, 'it gave up instead of hanging');
});
