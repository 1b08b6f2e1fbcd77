// Recordings on Azure Blob Storage, with real parts: a real media server records a call streamed over a real socket,
// the uploader sends the session folder to a real Azurite, and every blob is compared with its local file.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { serializePacket } from '../../src/protocol/index.js';
import {
  blobConnectionStringFrom,
  BlobRecordingsErrorCode,
  createBlobRecordingsUploader,
  isBlobRecordingsError,
  parseRecordingsTarget,
  UPLOAD_MARKER,
  type BlobRecordingsOptions,
} from '../../src/recordings-storage/index.js';
import { audio, connect, metadata, metricValue, sessionEnd, startServer } from '../server/wire.js';
import { startAzurite, type Azurite } from './azurite-harness.js';
import { tempDirUntilExit } from '../temp-dir.js';
import { waitUntil } from '../wait-until.js';

const CONTAINER = 'call-recordings';

/** A pino logger whose records land in `records`. */
function capturingLogger(): { logger: Logger; records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void records.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, records };
}

async function azuriteFor(t: TestContext, options?: { port?: number; location?: string }): Promise<Azurite> {
  const azurite = await startAzurite(options);
  t.after(() => azurite.stop());
  return azurite;
}

function containerOf(azurite: Azurite): ContainerClient {
  return BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(CONTAINER);
}

function uploaderFor(t: TestContext, azurite: Azurite, spoolDir: string, extra: Partial<BlobRecordingsOptions> = {}) {
  const uploader = createBlobRecordingsUploader({ connectionString: azurite.connectionString, container: CONTAINER, spoolDir, drainIntervalMs: 0, settleMs: 0, ...extra });
  t.after(() => uploader.close());
  return uploader;
}

/** An unmixed call of two participants with a DTMF tone and a transcript line: track WAVs, mix, JSONL and session.json. */
async function streamCall(wsUrl: string, subscriptionId: string, beforeHangUp: () => Promise<void> = async () => undefined): Promise<void> {
  const ws = await connect(wsUrl);
  ws.send(metadata(subscriptionId, 16000));
  const t0 = Date.parse('2026-11-24T10:00:00.000Z');
  for (let i = 0; i < 60; i++) {
    ws.send(audio(t0, i, 16000, '4:+15551230001'));
    if (i >= 20) ws.send(audio(t0, i, 16000, '8:acs:resource_agent'));
  }
  ws.send(serializePacket({ kind: 'DtmfData', tone: '5', data: '5', timestamp: undefined, timestampMs: undefined, participantRawID: '4:+15551230001' }));
  ws.send(
    serializePacket({
      kind: 'TranscriptionData',
      text: 'hello there',
      format: 'display',
      confidence: 0.9,
      offsetTicks: 10_000_000n,
      durationTicks: 5_000_000n,
      words: [],
      participantRawID: '4:+15551230001',
      resultStatus: 'Final',
      extra: {},
    }),
  );
  await beforeHangUp();
  ws.close(1000);
}

/** Every local file of the session folder (not the marker) is a blob under `<prefix>/<day>/<session>/`, byte for byte. */
async function assertBlobsMatch(container: ContainerClient, folder: string, blobFolder: string): Promise<string[]> {
  const local = (await readdir(folder)).filter((name) => !name.startsWith('.')).sort();
  const remote: string[] = [];
  for await (const blob of container.listBlobsFlat({ prefix: `${blobFolder}/` })) remote.push(blob.name.slice(blobFolder.length + 1));
  assert.deepEqual(remote.sort(), local, 'the same files locally and in the container');
  for (const name of local) {
    const expected = await readFile(join(folder, name));
    const actual = await container.getBlockBlobClient(`${blobFolder}/${name}`).downloadToBuffer();
    assert.ok(actual.equals(expected), `${name}: blob (${actual.length} bytes) equals the local file (${expected.length} bytes)`);
  }
  return local;
}

function blobFolderOf(recordingDir: string, prefix?: string): string {
  const [day, session] = recordingDir.split(/[\\/]/).slice(-2);
  return prefix === undefined ? `${day}/${session}` : `${prefix}/${day}/${session}`;
}

test('a finished call lands in the Blob container byte for byte, with content types, MD5, marker and metrics', async (t) => {
  const azurite = await azuriteFor(t);
  const { server, url, wsUrl, dir } = await startServer();
  t.after(() => server.close());
  const uploader = uploaderFor(t, azurite, dir, { prefix: 'prod/eu', registry: server.metrics.registry });
  uploader.attach(server.hub);
  const ended = sessionEnd(server);
  await streamCall(wsUrl, 'sub-blob-a');
  const summary = await ended;
  await uploader.idle();

  const folder = summary.recordingDir!;
  const files = await assertBlobsMatch(containerOf(azurite), folder, blobFolderOf(folder, 'prod/eu'));
  for (const expected of ['mixdown.wav', 'session.json', 'transcript.jsonl', 'events.jsonl']) assert.ok(files.includes(expected), `${expected} among ${files.join(', ')}`);
  assert.equal(files.filter((f) => f.endsWith('.wav')).length, 3, 'two participant tracks and the mix');

  const container = containerOf(azurite);
  const types = { 'mixdown.wav': 'audio/wav', 'session.json': 'application/json', 'transcript.jsonl': 'application/x-ndjson' } as const;
  for (const [file, type] of Object.entries(types)) {
    const properties = await container.getBlockBlobClient(`${blobFolderOf(folder, 'prod/eu')}/${file}`).getProperties();
    assert.equal(properties.contentType, type, `${file} content type`);
    assert.ok(properties.contentMD5 !== undefined, `${file} has a Content-MD5`);
  }

  const manifest = JSON.parse(await readFile(join(folder, UPLOAD_MARKER), 'utf8')) as { blobs: Array<{ file: string; bytes: number }> };
  assert.deepEqual(manifest.blobs.map((b) => b.file).sort(), files);
  for (const b of manifest.blobs) assert.equal(b.bytes, (await stat(join(folder, b.file))).size, `${b.file} size in the marker`);
  const stats = uploader.stats();
  assert.equal(stats.uploadedFiles, files.length);
  assert.equal(stats.uploadedFolders, 1);
  assert.equal(stats.pendingFolders, 0);
  assert.equal(stats.failedFiles, 0);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  assert.equal(metricValue(metrics, 'acs_audio_blob_uploaded_files_total'), files.length);
  assert.equal(metricValue(metrics, 'acs_audio_blob_spool_pending_sessions'), 0);
});

test('a Blob outage during a call loses nothing: the folder stays in the spool unmarked, and a drain after recovery uploads it', async (t) => {
  let azurite = await azuriteFor(t);
  const { server, wsUrl, dir } = await startServer();
  t.after(() => server.close());
  const { logger, records } = capturingLogger();
  const uploader = uploaderFor(t, azurite, dir, { logger, retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 }, requestTimeoutMs: 2000 });
  uploader.attach(server.hub);
  const ended = sessionEnd(server);
  await streamCall(wsUrl, 'sub-blob-outage', () => azurite.stop());
  const summary = await ended;
  await uploader.idle();

  const folder = summary.recordingDir!;
  const local = (await readdir(folder)).filter((name) => !name.startsWith('.'));
  assert.ok(local.includes('mixdown.wav') && local.includes('session.json'), `the recording is still in the spool: ${local.join(', ')}`);
  assert.ok(!(await readdir(folder)).includes(UPLOAD_MARKER), 'no upload marker after a failed upload');
  const failed = uploader.stats();
  assert.ok(failed.retries >= 2, `retried (${failed.retries})`);
  assert.ok(failed.failedFiles >= 1, `failures counted (${failed.failedFiles})`);
  assert.equal(failed.pendingFolders, 1);
  assert.equal(failed.uploadedFolders, 0);
  const sessionId = summary.id;
  assert.ok(records.some((r) => r.msg === 'blob: upload failed; retrying' && r.sessionId === sessionId && typeof r.file === 'string'), 'retries are logged');
  assert.ok(records.some((r) => r.level === 50 && r.sessionId === sessionId), 'the final failure is logged as an error');

  azurite = await azuriteFor(t, { port: azurite.port, location: azurite.location });
  const report = await uploader.drainSpool();
  assert.deepEqual(report, { found: 1, uploaded: 1, failed: 0 });
  assert.ok((await readdir(folder)).includes(UPLOAD_MARKER), 'marked done after the drain');
  await assertBlobsMatch(containerOf(azurite), folder, blobFolderOf(folder));
  assert.equal(uploader.stats().pendingFolders, 0);
});

/** A finished (or still open) session folder made by hand, as a crashed or restarted server leaves it. */
async function spoolFolder(spoolDir: string, sessionId: string, ended: boolean): Promise<string> {
  const folder = join(spoolDir, '2026-11-24', sessionId);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'track.wav'), Buffer.alloc(5000, 7));
  await writeFile(join(folder, 'session.json'), JSON.stringify({ id: sessionId, endedAt: ended ? '2026-11-24T10:01:00.000Z' : undefined }));
  return folder;
}

test('a restarted uploader drains what an earlier run left: ended and long-abandoned folders, each once, across several blocks', async (t) => {
  const azurite = await azuriteFor(t);
  const spoolDir = await tempDirUntilExit('blob-spool-');
  const finished = await spoolFolder(spoolDir, 'finished-1', true);
  const open = await spoolFolder(spoolDir, 'still-open', false);
  const crashed = await spoolFolder(spoolDir, 'crashed', false);
  const anHourAgo = new Date(Date.now() - 3_600_000);
  for (const name of await readdir(crashed)) await utimes(join(crashed, name), anHourAgo, anHourAgo);
  const uploader = uploaderFor(t, azurite, spoolDir, { blockSizeBytes: 1024, abandonedAfterMs: 600_000 });
  const first = await uploader.start();
  assert.deepEqual(first, { found: 2, uploaded: 2, failed: 0 });
  await assertBlobsMatch(containerOf(azurite), finished, '2026-11-24/finished-1');
  await assertBlobsMatch(containerOf(azurite), crashed, '2026-11-24/crashed');
  assert.ok(!(await readdir(open)).includes(UPLOAD_MARKER), 'a recently written session without endedAt is not uploaded');
  assert.deepEqual(await uploader.drainSpool(), { found: 0, uploaded: 0, failed: 0 }, 'a marked folder is not uploaded again');
});

test('keepLocal: false deletes the session folder after a verified upload', async (t) => {
  const azurite = await azuriteFor(t);
  const spoolDir = await tempDirUntilExit('blob-spool-');
  const folder = await spoolFolder(spoolDir, 'delete-me', true);
  const expected = await readFile(join(folder, 'track.wav'));
  const uploader = uploaderFor(t, azurite, spoolDir, { keepLocal: false });
  await uploader.uploadSessionFolder(folder);
  assert.deepEqual(await readdir(spoolDir), [], 'the session and its day folder are gone');
  const blob = await containerOf(azurite).getBlockBlobClient('2026-11-24/delete-me/track.wav').downloadToBuffer();
  assert.ok(blob.equals(expected));
});

test('close() stops waiting retries at once and leaves the folder in the spool for the next start', async () => {
  const spoolDir = await tempDirUntilExit('blob-spool-');
  const folder = await spoolFolder(spoolDir, 'unreachable', true);
  const nobody = createServer();
  await new Promise<void>((resolve) => nobody.listen(0, '127.0.0.1', resolve));
  const { port } = nobody.address() as AddressInfo;
  await new Promise((resolve) => nobody.close(resolve)); // a port where Blob Storage is down
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${Buffer.from('k').toString('base64')};BlobEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`;
  const uploader = createBlobRecordingsUploader({ connectionString, container: CONTAINER, spoolDir, retry: { maxAttempts: 10, baseDelayMs: 60_000, maxDelayMs: 60_000 } });
  const upload = uploader.uploadSessionFolder(folder);
  const started = performance.now();
  assert.deepEqual(await uploader.close(), { leftInSpool: 1 });
  assert.ok(performance.now() - started < 5000, 'close did not wait out a 60 s backoff');
  await assert.rejects(upload, (err: unknown) => isBlobRecordingsError(err, BlobRecordingsErrorCode.UploadFailed));
  assert.ok(!(await readdir(folder)).includes(UPLOAD_MARKER));
});

test('uploadSessionFolder refuses a folder outside the spool layout, naming the layout', async () => {
  const spoolDir = await tempDirUntilExit('blob-spool-');
  const uploader = createBlobRecordingsUploader({ connectionString: 'UseDevelopmentStorage=true', container: CONTAINER, spoolDir });
  await assert.rejects(uploader.uploadSessionFolder(join(spoolDir, 'not-a-day', 'x')), (err: unknown) => {
    assert.ok(isBlobRecordingsError(err, BlobRecordingsErrorCode.NotASessionFolder));
    assert.match(err.message, /<spoolDir>\/<YYYY-MM-DD>\/<session id>/);
    return true;
  });
  await uploader.close();
});

test('parseRecordingsTarget reads none, a folder, and azblob://<container>[/<prefix>]', () => {
  assert.deepEqual(parseRecordingsTarget('none'), { kind: 'none' });
  assert.deepEqual(parseRecordingsTarget('./recordings'), { kind: 'local', dir: './recordings' });
  assert.deepEqual(parseRecordingsTarget('azblob://calls'), { kind: 'azblob', container: 'calls', prefix: undefined });
  assert.deepEqual(parseRecordingsTarget('azblob://call-recordings/prod/eu-west/'), { kind: 'azblob', container: 'call-recordings', prefix: 'prod/eu-west' });
});

test('parseRecordingsTarget refuses bad targets with what is wrong and an example', () => {
  const cases: Array<[string, RegExp]> = [
    ['azblob://', /no container name.*azblob:\/\/call-recordings/],
    ['azblob://ab', /not a valid Blob container name: use 3–63/],
    ['azblob://Calls', /"Calls" is not a valid Blob container name/],
    ['azblob://call--recordings', /not a valid Blob container name/],
    ['azblob://calls-', /not a valid Blob container name/],
    ['azblob://-calls', /not a valid Blob container name/],
    [`azblob://${'a'.repeat(64)}`, /not a valid Blob container name/],
    ['azblob://calls/a//b', /empty, "\." or "\.\." segment/],
    ['azblob://calls/../x', /empty, "\." or "\.\." segment/],
    ['azblob://calls/a?b', /backslash, "\?", "#"/],
    ['s3://bucket/x', /unsupported scheme "s3:\/\/"/],
    ['  ', /empty/],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => parseRecordingsTarget(value), (err: unknown) => {
      assert.ok(isBlobRecordingsError(err, BlobRecordingsErrorCode.BadTarget), `${value}: a BadTarget error`);
      assert.match(err.message, message, value);
      return true;
    });
  }
});

test('the connection string comes from ACS_AUDIO_BLOB_CONNECTION_STRING or AZURE_STORAGE_CONNECTION_STRING, else a clear error', () => {
  assert.equal(blobConnectionStringFrom({ AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' }), 'UseDevelopmentStorage=true');
  assert.equal(blobConnectionStringFrom({ ACS_AUDIO_BLOB_CONNECTION_STRING: 'a', AZURE_STORAGE_CONNECTION_STRING: 'b' }), 'a');
  assert.throws(() => blobConnectionStringFrom({ AZURE_STORAGE_CONNECTION_STRING: ' ' }, 'azblob://calls'), (err: unknown) => {
    assert.ok(isBlobRecordingsError(err, BlobRecordingsErrorCode.NoConnectionString));
    assert.match(err.message, /azblob:\/\/calls needs a Storage account connection string: set AZURE_STORAGE_CONNECTION_STRING \(or ACS_AUDIO_BLOB_CONNECTION_STRING\)/);
    return true;
  });
});

test('createBlobRecordingsUploader refuses a bad connection string and bad options, naming the fields', () => {
  const spoolDir = tmpdir();
  assert.throws(
    () => createBlobRecordingsUploader({ connectionString: 'nonsense', container: CONTAINER, spoolDir }),
    (err: unknown) => isBlobRecordingsError(err, BlobRecordingsErrorCode.BadConnectionString) && /Access keys/.test(err.message),
  );
  assert.throws(
    () => createBlobRecordingsUploader({ connectionString: 'UseDevelopmentStorage=true', container: 'Bad_Name', spoolDir, concurrency: 0, retry: { maxAttempts: 0 } }),
    (err: unknown) =>
      isBlobRecordingsError(err, BlobRecordingsErrorCode.BadOptions) && /container\/prefix/.test(err.message) && /concurrency/.test(err.message) && /retry\.maxAttempts/.test(err.message),
  );
});

test('a callback that comes after the stream closed (CallDisconnected) is in the uploaded events.jsonl: uploads wait settleMs', async (t) => {
  const azurite = await azuriteFor(t);
  const { server, wsUrl, dir } = await startServer();
  t.after(() => server.close());
  const uploader = uploaderFor(t, azurite, dir, { settleMs: 400 });
  uploader.attach(server.hub);
  const ended = sessionEnd(server);
  await streamCall(wsUrl, 'sub-blob-late');
  const summary = await ended;
  server.hub.recordCallEvent({ type: 'CallDisconnected', callConnectionId: 'call-late', subscriptionId: 'sub-blob-late', data: {} });
  const container = containerOf(azurite);
  const blob = container.getBlockBlobClient(`${blobFolderOf(summary.recordingDir!)}/events.jsonl`);
  await waitUntil(() => blob.exists(), { intervalMs: 50, message: 'events.jsonl to be uploaded' });
  await uploader.idle();
  const types = (await blob.downloadToBuffer()).toString('utf8').trim().split('\n').map((line) => JSON.parse(line).type);
  assert.ok(types.includes('CallDisconnected'), `events uploaded: ${types.join(', ')}`);
});
