import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { formatTimestamp, serializePacket } from '../../src/protocol/index.js';
import { readWav } from '../../src/audio/index.js';
import { startServe } from './serve-process.js';
import { tempDirUntilExit } from '../temp-dir.js';
import { metricValue } from '../server/wire.js';
import { waitUntil } from '../wait-until.js';

const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

/** WebSocket messages the server behind `wsUrl` has received, from its /metrics. */
async function messagesReceived(wsUrl: string): Promise<number> {
  const { origin } = new URL(wsUrl.replace(/^ws/, 'http'));
  const text = await (await fetch(`${origin}/metrics`)).text();
  return metricValue(text, 'acs_audio_messages_total', 'outcome="received"');
}

test('serve --help names every flag with its environment variable', () => {
  const help = spawnSync(process.execPath, [...CLI, 'serve', '--help'], { encoding: 'utf8' }).stdout;
  const envs = [
    ...['ACS_AUDIO_PORT', 'ACS_AUDIO_RECORDINGS', 'ACS_AUDIO_SPOOL', 'ACS_AUDIO_PUBLIC_URL', 'ACS_CONNECTION_STRING', 'ACS_AUDIO_AUTH', 'ACS_AUDIO_API_TOKEN'],
    ...['ACS_AUDIO_MAX_PAYLOAD', 'ACS_AUDIO_IDLE_TIMEOUT_MS', 'ACS_AUDIO_MAX_FRAME_RATE', 'ACS_AUDIO_MAX_PARTICIPANTS', 'ACS_AUDIO_MAX_RECORDING_QUEUE'],
    ...['ACS_AUDIO_NATS', 'ACS_AUDIO_NATS_AUDIO', 'ACS_AUDIO_MIX'],
  ];
  for (const env of envs) {
    assert.match(help, new RegExp(env), `${env} in --help`);
  }
});

test('--public-url without --api-token refuses to start unless --allow-open-dashboard; bad URLs name their option', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [...CLI, 'serve', '--port', '0', '--auth', 'off', ...args], { encoding: 'utf8', timeout: 20_000 });
  const open = run('--public-url', 'https://abc.devtunnels.ms');
  assert.equal(open.status, 2);
  assert.match(open.stderr, /--public-url without --api-token.*--allow-open-dashboard/s);
  const bad = run('--public-url', 'abc.devtunnels.ms', '--api-token', 't', '--allowed-origin', 'ftp://x');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--public-url "abc.devtunnels.ms" is not an http\(s\) URL/);
  assert.match(bad.stderr, /--allowed-origin "ftp:\/\/x" is not an http\(s\) URL/);
});

test('a bad flag value exits 2 with a message naming the flag', () => {
  const result = spawnSync(process.execPath, [...CLI, 'serve', '--port', 'eighty'], { encoding: 'utf8' });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /--port/);
});

test('--auth jwt without an audience refuses to start and says what to do', () => {
  const result = spawnSync(process.execPath, [...CLI, 'serve', '--auth', 'jwt', '--port', '0'], { encoding: 'utf8' });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /--audience/);
});

test('SIGTERM stops the server gracefully: exit 0 and a finished WAV', async (t) => {
  const dir = await tempDirUntilExit('serve-cli-');
  const { child, ready } = startServe(['--port', '0', '--recordings', dir, '--auth', 'off']);
  t.after(() => child.kill('SIGKILL'));
  const wsUrl = await ready;
  const ws = new WebSocket(wsUrl);
  await once(ws, 'open');
  ws.send(serializePacket({ kind: 'AudioMetadata', subscriptionId: 'cli-sub', encoding: 'PCM', sampleRate: 16000, channels: 1, length: 640 }));
  const t0 = Date.now();
  for (let i = 0; i < 25; i++) {
    ws.send(serializePacket({ kind: 'AudioData', timestamp: formatTimestamp(t0 + i * 20), timestampMs: t0 + i * 20, participantRawID: undefined, silent: false, samples: new Int16Array(320).fill(1000) }));
  }
  await waitUntil(async () => (await messagesReceived(wsUrl)) === 26, { message: 'the server to receive the metadata and 25 frames' });
  const closed = once(ws, 'close');
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  assert.equal((await closed)[0], 1001);
  const [day] = await readdir(dir);
  const [session] = await readdir(join(dir, day));
  const wav = readWav(await readFile(join(dir, day, session, 'mixed.wav')));
  assert.equal(wav.samples.length, 25 * 320);
});

test('ACS_AUDIO_MIX=off (--mix off): an unmixed call is recorded as its participants\' WAVs, without mixdown.wav', async (t) => {
  const dir = await tempDirUntilExit('serve-cli-');
  const { child, ready } = startServe(['--port', '0', '--recordings', dir, '--auth', 'off'], { ACS_AUDIO_MIX: 'off' });
  t.after(() => child.kill('SIGKILL'));
  const wsUrl = await ready;
  const ws = new WebSocket(wsUrl);
  await once(ws, 'open');
  ws.send(serializePacket({ kind: 'AudioMetadata', subscriptionId: 'cli-no-mix', encoding: 'PCM', sampleRate: 16000, channels: 1, length: 640 }));
  const t0 = Date.now();
  for (let i = 0; i < 5; i++) {
    ws.send(serializePacket({ kind: 'AudioData', timestamp: formatTimestamp(t0 + i * 20), timestampMs: t0 + i * 20, participantRawID: '4:+15551230001', silent: false, samples: new Int16Array(320).fill(1000) }));
  }
  await waitUntil(async () => (await messagesReceived(wsUrl)) === 6, { message: 'the server to receive the metadata and 5 frames' });
  child.kill('SIGTERM');
  await once(child, 'exit');
  const [day] = await readdir(dir);
  const [session] = await readdir(join(dir, day));
  assert.deepEqual((await readdir(join(dir, day, session))).filter((f) => f.endsWith('.wav')), ['4_+15551230001.wav']);
});

test('the first serve with a recordings folder that does not exist yet logs no error', async (t) => {
  const dir = join(await tempDirUntilExit('serve-fresh-'), 'not-yet');
  const serve = startServe(['--port', '0', '--recordings', dir, '--auth', 'off']);
  t.after(() => serve.child.kill('SIGKILL'));
  await serve.ready;
  // The start-up repair check has run by the time the ingest URL is logged (listen() repairs before it listens).
  assert.doesNotMatch(serve.log(), /"level":50/, serve.log());
});
