// `acs-audio serve --recordings azblob://…` as a user runs it: a call recorded into the spool, uploaded to Azurite
// when it ends, byte for byte; a missing connection string refuses to start and names the variables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { BlobServiceClient } from '@azure/storage-blob';
import { formatTimestamp, serializePacket } from '../../src/protocol/index.js';
import { startAzurite } from './azurite-harness.js';
import { startServe } from '../cli/serve-process.js';
import { tempDirUntilExit } from '../temp-dir.js';
import { waitUntil } from '../wait-until.js';

const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

test('serve --recordings azblob:// without a connection string exits 2 naming both variables', () => {
  const env = { ...process.env, ACS_AUDIO_BLOB_CONNECTION_STRING: '', AZURE_STORAGE_CONNECTION_STRING: '' };
  const result = spawnSync(process.execPath, [...CLI, 'serve', '--port', '0', '--auth', 'off', '--recordings', 'azblob://calls'], { encoding: 'utf8', env });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /ACS_AUDIO_BLOB_CONNECTION_STRING/);
  assert.match(result.stderr, /AZURE_STORAGE_CONNECTION_STRING/);
});

test('serve --recordings azblob://container/prefix uploads a finished call; blobs match the spooled files', { timeout: 60_000 }, async () => {
  const azurite = await startAzurite();
  const spool = await tempDirUntilExit('serve-spool-');
  const { child, ready, log } = startServe(['--port', '0', '--auth', 'off', '--recordings', 'azblob://calls/site-a', '--spool', spool], {
    AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    ACS_AUDIO_BLOB_CONNECTION_STRING: '',
  });
  try {
    const wsUrl = await ready;
    const ws = new WebSocket(wsUrl);
    await once(ws, 'open');
    ws.send(serializePacket({ kind: 'AudioMetadata', subscriptionId: 'blob-sub', encoding: 'PCM', sampleRate: 16000, channels: 1, length: 640 }));
    const t0 = Date.now();
    for (let i = 0; i < 50; i++) {
      const ms = t0 + i * 20;
      ws.send(serializePacket({ kind: 'AudioData', timestamp: formatTimestamp(ms), timestampMs: ms, participantRawID: '4:+15550001111', silent: false, samples: new Int16Array(320).fill(i * 10) }));
    }
    ws.close(1000);

    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('calls');
    // The session's spool folder appears, and the upload finishes with the .uploaded marker in it.
    const sessionFolder = async (): Promise<string | undefined> => {
      const [day] = await readdir(spool);
      const [session] = day === undefined ? [] : await readdir(join(spool, day));
      return session === undefined ? undefined : join(day, session);
    };
    const relative = await waitUntil(
      async () => {
        const found = await sessionFolder();
        return found !== undefined && (await readdir(join(spool, found))).includes('.uploaded') && found;
      },
      { timeoutMs: 30_000, intervalMs: 100, message: () => `the spooled session's .uploaded marker; serve's log:\n${log()}` },
    );
    const folder = join(spool, relative);
    const [day, session] = relative.split(/[\\/]/);
    const files = (await readdir(folder)).filter((f) => !f.startsWith('.'));
    assert.ok(files.includes('session.json') && files.some((f) => f.endsWith('.wav')), `spooled: ${files.join(', ')}`);
    for (const file of files) {
      const blob = await container.getBlobClient(`site-a/${day}/${session}/${file}`).downloadToBuffer();
      assert.ok(blob.equals(await readFile(join(folder, file))), `${file} matches byte for byte`);
    }
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  } finally {
    child.kill('SIGKILL');
    await azurite.stop();
  }
});
