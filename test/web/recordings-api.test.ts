// The recordings API the dashboard uses: listing session folders, serving files from inside the folder only,
// with the right Content-Type and byte ranges.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createRecordingsApi } from '../../src/server/recordings-api.js';

function wav(samples: number, sampleRate = 16000): Buffer {
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(8000 * Math.sin(i / 5)), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

describe('recordings API', () => {
  let dir: string;
  let root: string;
  let server: Server;
  let base: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'acs-recordings-api-'));
    root = join(dir, 'recordings');
    const session = join(root, '2026-01-02', 'sess-1');
    await mkdir(session, { recursive: true });
    await writeFile(join(session, 'session.json'), JSON.stringify({
      id: 'sess-1', state: 'ended', startedAt: '2026-01-02T10:00:00.000Z', endedAt: '2026-01-02T10:00:02.000Z',
      participants: [{ trackId: 'p-4-15551234567', participantRawId: '4:+15551234567', file: 'p-4-15551234567.wav', frames: 100, seconds: 2 }],
    }));
    await writeFile(join(session, 'p-4-15551234567.wav'), wav(32000));
    await writeFile(join(session, 'mixdown.wav'), wav(32000));
    await writeFile(join(dir, 'secret.wav'), wav(10));
    await symlink(join(dir, 'secret.wav'), join(session, 'escape.wav'));
    const api = createRecordingsApi({ root });
    server = createServer((req, res) => {
      void api.handle(req, res).then((handled) => {
        if (!handled) res.writeHead(404).end('not mine');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('lists a session folder with its participants and each WAV length', async () => {
    const response = await fetch(`${base}/api/recordings`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { recordings: Array<{ dir: string; session: { id: string }; files: Array<{ name: string; path: string; seconds: number; participantRawId?: string }> }> };
    assert.equal(body.recordings.length, 1);
    const entry = body.recordings[0];
    assert.equal(entry.dir, '2026-01-02/sess-1');
    assert.equal(entry.session.id, 'sess-1');
    const track = entry.files.find((f) => f.name === 'p-4-15551234567.wav');
    assert.equal(track?.seconds, 2);
    assert.equal(track?.participantRawId, '4:+15551234567');
    assert.equal(track?.path, '2026-01-02/sess-1/p-4-15551234567.wav');
  });

  it('serves a WAV as audio/wav with its full length', async () => {
    const response = await fetch(`${base}/api/recordings/files/2026-01-02/sess-1/mixdown.wav`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'audio/wav');
    assert.equal(response.headers.get('accept-ranges'), 'bytes');
    assert.equal((await response.arrayBuffer()).byteLength, 44 + 64000);
  });

  it('answers a byte range with 206 and Content-Range', async () => {
    const response = await fetch(`${base}/api/recordings/files/2026-01-02/sess-1/mixdown.wav`, { headers: { range: 'bytes=40-47' } });
    assert.equal(response.status, 206);
    assert.equal(response.headers.get('content-range'), `bytes 40-47/${44 + 64000}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.equal(bytes.length, 8);
    assert.equal(bytes.readUInt32LE(0), 64000);
  });

  it('refuses a range past the end with 416', async () => {
    const response = await fetch(`${base}/api/recordings/files/2026-01-02/sess-1/mixdown.wav`, { headers: { range: 'bytes=999999-' } });
    assert.equal(response.status, 416);
    await response.arrayBuffer();
  });

  it('offers a download name when asked', async () => {
    const response = await fetch(`${base}/api/recordings/files/2026-01-02/sess-1/mixdown.wav?download=1`);
    assert.match(response.headers.get('content-disposition') ?? '', /attachment; filename="sess-1-mixdown.wav"/);
    await response.arrayBuffer();
  });

  it('never serves a file outside the recordings folder', async () => {
    for (const path of ['..%2Fsecret.wav', '2026-01-02/..%2F..%2Fsecret.wav', '%2E%2E/secret.wav', '2026-01-02/sess-1/escape.wav']) {
      const response = await fetch(`${base}/api/recordings/files/${path}`);
      assert.equal(response.status, 404, path);
      await response.arrayBuffer();
    }
  });

  it('serves nothing but WAV, JSON and JSONL', async () => {
    await writeFile(join(root, '2026-01-02', 'sess-1', 'notes.txt'), 'hello');
    const response = await fetch(`${base}/api/recordings/files/2026-01-02/sess-1/notes.txt`);
    assert.equal(response.status, 404);
    await response.arrayBuffer();
  });

  it('leaves other paths to the server', async () => {
    const response = await fetch(`${base}/api/sessions`);
    assert.equal(await response.text(), 'not mine');
  });
});
