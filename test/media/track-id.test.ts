import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { createTrackId } from '../../src/media/index.js';
import { audio, connect, ended, frameOf, makeHub, metadata, nextSession } from './harness.js';

const UNSAFE = ['../../x', '/etc/passwd', 'a\0b', 'x'.repeat(10_000), '山田太郎', 'участник', '..', '.', '', 'mix', 'CON', 'a/b\\c'];

test('a phone number keeps a readable id without a hash', () => {
  assert.equal(createTrackId('4:+15551234567', new Set()), '4_+15551234567');
});

test('a long ACS id is shortened and made distinct by a hash suffix', () => {
  const id = createTrackId('8:acs:3d20e1de-0f28-41c5-84a0-4960fde5f411_0000000b-faeb-c708-99bf-a43a0d0036b0', new Set());
  assert.match(id, /^8_acs_3d20e1de-0f28-41c5-84a0-[0-9a-f]{10}$/);
  assert.ok(id.length <= 40);
});

test('unsafe ids give distinct names with no path separators, NUL or leading dots, of bounded length', () => {
  const taken = new Set<string>();
  const ids = UNSAFE.map((raw) => createTrackId(raw, taken));
  assert.equal(new Set(ids.map((id) => id.toLowerCase())).size, UNSAFE.length);
  for (const id of ids) {
    assert.match(id, /^[A-Za-z0-9+][A-Za-z0-9+_.-]*$/);
    assert.ok(id.length <= 40, id);
    assert.notEqual(id.toLowerCase(), 'mix');
  }
});

test('ids that collide after cleaning still get distinct names (case-insensitively)', () => {
  const taken = new Set<string>();
  const a = createTrackId('4:+1555', taken);
  const b = createTrackId('4_+1555', taken);
  const c = createTrackId('4:+1555'.toUpperCase(), taken);
  assert.equal(a, '4_+1555');
  assert.notEqual(b, a);
  assert.equal(new Set([a, b, c]).size, 3);
});

test('unsafe participant ids in a real stream give safe, distinct files inside the session folder', async () => {
  const { hub, cleanup } = await makeHub();
  try {
    const socket = connect(hub);
    const started = nextSession(hub);
    socket.push(metadata('sub-unsafe'));
    const session = await started;
    // The first frame names a participant, so the session is unmixed; the empty id is "no participant".
    const ids = UNSAFE.filter((id) => id !== '');
    ids.forEach((id) => socket.push(audio(0, frameOf(1), id)));
    socket.conn.closed(1000, '');
    const summary = await ended(session);
    const dir = summary.recordingDir as string;
    const files = await readdir(dir);
    assert.equal(summary.participants.length, ids.length);
    for (const p of summary.participants) {
      assert.ok(files.includes(p.file as string), `${p.file} in ${files.join(', ')}`);
      assert.ok(resolve(dir, p.file as string).startsWith(dir + sep));
    }
    assert.deepEqual(summary.participants.map((p) => p.participantRawId), ids);
    assert.equal(files.length, ids.length + 2); // + mixdown.wav, session.json
    assert.ok(files.every((f) => join(dir, f).startsWith(dir)));
  } finally {
    await cleanup();
  }
});
