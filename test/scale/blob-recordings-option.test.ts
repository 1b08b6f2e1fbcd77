// Blob upload from the public API: createMediaServer({ blob }) uploads each finished session of its own spool, and
// docs/blob-recordings.md's library example runs as written against a real Azurite with a call streamed into it.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { createMediaServer, isAcsAudioError, ErrorCode } from '../../src/index.js';
import { audio, connect, metadata, metricValue, quiet, sessionEnd, startServer } from '../server/wire.js';
import { startAzurite, type Azurite } from './azurite-harness.js';
import { tempDirUntilExit } from '../temp-dir.js';
import { waitUntil } from '../wait-until.js';

const CONTAINER = 'call-recordings';

async function azuriteFor(t: TestContext): Promise<Azurite> {
  const azurite = await startAzurite();
  t.after(() => azurite.stop());
  return azurite;
}

/** Two seconds of one participant, then the socket closes (the session ends). */
async function streamCall(wsUrl: string, subscriptionId: string): Promise<void> {
  const ws = await connect(wsUrl);
  ws.send(metadata(subscriptionId, 16000));
  const t0 = Date.parse('2026-11-24T10:00:00.000Z');
  for (let i = 0; i < 100; i++) ws.send(audio(t0, i, 16000, '4:+15551230001'));
  ws.close(1000);
  await once(ws, 'close');
}

async function blobNames(azurite: Azurite, prefix: string): Promise<string[]> {
  const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(CONTAINER);
  if (!(await container.exists())) return [];
  const names: string[] = [];
  for await (const blob of container.listBlobsFlat({ prefix })) names.push(blob.name);
  return names.sort();
}

test('createMediaServer({ blob }) uploads each finished session from its recordingsDir, with acs_audio_blob_* on /metrics', async (t) => {
  const azurite = await azuriteFor(t);
  const { server, url, wsUrl } = await startServer({ blob: { connectionString: azurite.connectionString, container: CONTAINER, prefix: 'lib', settleMs: 0, drainIntervalMs: 0 } });
  t.after(() => server.close());
  const ended = sessionEnd(server);
  await streamCall(wsUrl, 'sub-option');
  const summary = await ended;
  await waitUntil(() => server.blob!.stats().uploadedFolders === 1, { message: 'the session to be uploaded' });

  const [day, session] = summary.recordingDir!.split(/[\\/]/).slice(-2);
  const local = (await readdir(summary.recordingDir!)).filter((name) => !name.startsWith('.'));
  assert.deepEqual(await blobNames(azurite, 'lib/'), local.map((name) => `lib/${day}/${session}/${name}`).sort());
  const metrics = await (await fetch(`${url}/metrics`)).text();
  assert.equal(metricValue(metrics, 'acs_audio_blob_uploaded_sessions_total'), 1);
});

test('createMediaServer({ blob }) without a recordings folder to spool in is refused, naming both options', () => {
  assert.throws(
    () => createMediaServer({ recordingsDir: null, logger: quiet, blob: { connectionString: 'UseDevelopmentStorage=true', container: CONTAINER } }),
    (err: unknown) => isAcsAudioError(err, ErrorCode.BadOptions) && /blob/.test(err.message) && /recordingsDir/.test(err.message),
  );
});

test("docs/blob-recordings.md's library example runs as written: a call streamed into it lands in the container", { timeout: 60_000 }, async (t) => {
  const azurite = await azuriteFor(t);
  const doc = await readFile(new URL('../../docs/blob-recordings.md', import.meta.url), 'utf8');
  const example = /As a library[^\n]*\n+```ts\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(example, 'the library example');
  // The package name points at this checkout; port 0 instead of 8080, so the test never collides with a real server.
  const runnable = example.replace("'acs-audio-streaming'", JSON.stringify(new URL('../../src/index.ts', import.meta.url).href)).replace('port: 8080', 'port: 0');
  assert.notEqual(runnable, example);
  const dir = await tempDirUntilExit('blob-example-');
  await writeFile(join(dir, 'example.mts'), runnable);

  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), 'example.mts'], {
    cwd: dir,
    env: { ...process.env, AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString, ACS_AUDIO_BLOB_CONNECTION_STRING: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  t.after(() => child.kill('SIGKILL'));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitUntil(() => /ACS streams to (ws:\S+);/.test(output), { timeoutMs: 30_000, message: () => `the example to listen:\n${output}` });
  const wsUrl = /ACS streams to (ws:\S+);/.exec(output)![1];

  await streamCall(wsUrl, 'sub-example');
  // The example keeps the default settleMs (5 s) before a session is uploaded.
  await waitUntil(async () => (await blobNames(azurite, 'prod/')).some((name) => name.endsWith('/session.json')), { timeoutMs: 30_000, intervalMs: 200, message: () => `the session's blobs:\n${output}` });
  child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0, output);
  const names = await blobNames(azurite, 'prod/');
  assert.ok(names.some((name) => name.endsWith('.wav')), `a track WAV among ${names.join(', ')}`);
});
