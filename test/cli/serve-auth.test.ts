// `acs-audio serve` picks its JWT auth from the flags a user gives: --audience / --jwks-url / --issuer mean "check the
// tokens", also with a local (emulator, http://) connection string, where auth is otherwise off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { createEmulator } from '../../src/emulator/index.js';
import { createCallClient, createStreamingCall } from '../../src/calls/index.js';
import { startServe } from './serve-process.js';
import { waitUntil } from '../wait-until.js';

const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

/** The HTTP status a WebSocket upgrade to `url` gets (101 when it opens). */
async function upgradeStatus(url: string): Promise<number> {
  const ws = new WebSocket(url);
  const status = await Promise.race([
    once(ws, 'unexpected-response').then(([, response]) => (response as { statusCode: number }).statusCode),
    once(ws, 'open').then(() => 101),
  ]);
  ws.terminate();
  return status;
}

test('--audience and --jwks-url with an emulator connection string turn JWT auth on: signed streams in, unsigned refused', async (t) => {
  const emulator = createEmulator({ port: 0, speed: 10 });
  const { connectionString } = await emulator.listen();
  t.after(() => emulator.close());
  assert.match(connectionString, /endpoint=http:\/\//, 'a local connection string, which alone leaves auth off');
  const serve = startServe(['--port', '0', '--recordings', 'none', '--connection-string', connectionString, '--jwks-url', emulator.jwksUrl, '--audience', emulator.audience]);
  t.after(() => serve.child.kill('SIGKILL'));
  const wsUrl = await serve.ready;
  const origin = new URL(wsUrl.replace(/^ws/, 'http')).origin;
  assert.doesNotMatch(serve.log(), /JWT auth is OFF/);

  assert.equal(await upgradeStatus(wsUrl), 401, 'a socket without a token');
  const unsigned = await fetch(`${origin}/api/callbacks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' });
  assert.equal(unsigned.status, 401, 'a callback without a token');

  await createStreamingCall(createCallClient(connectionString), { to: '+15551234567', callbackUrl: `${origin}/api/callbacks`, streamUrl: wsUrl, startNow: true });
  await waitUntil(async () => ((await (await fetch(`${origin}/api/sessions`)).json()) as { sessions: unknown[] }).sessions.length === 1, {
    timeoutMs: 20_000,
    message: "the emulator's signed stream to be taken",
  });
  const metrics = await (await fetch(`${origin}/metrics`)).text();
  assert.match(metrics, /acs_audio_auth_failures_total\{surface="ws",reason="missing_token"\} 1\b/);
});

test('--jwks-url without --audience refuses to start and says the audience is what is missing', () => {
  const run = spawnSync(process.execPath, [...CLI, 'serve', '--port', '0', '--recordings', 'none', '--jwks-url', 'http://127.0.0.1:9/keys'], { encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /JWT auth \(on because of --jwks-url\) needs --audience <immutable resource ID/);
  assert.match(run.stderr, /or pass --auth off/);
});

test('ACS_AUDIO_JWT_AUDIENCE turns JWT auth on as --audience does; --auth off keeps it off and says the flag is ignored', async (t) => {
  const on = startServe(['--port', '0', '--recordings', 'none'], { ACS_AUDIO_JWT_AUDIENCE: '00000000-0000-0000-0000-000000000001' });
  t.after(() => on.child.kill('SIGKILL'));
  assert.equal(await upgradeStatus(await on.ready), 401);

  const off = startServe(['--port', '0', '--recordings', 'none', '--auth', 'off', '--audience', '00000000-0000-0000-0000-000000000001']);
  t.after(() => off.child.kill('SIGKILL'));
  const wsUrl = await off.ready;
  assert.equal(await upgradeStatus(wsUrl), 101);
  assert.match(off.log(), /--auth off: --audience ignored/);
});
