// The REST pipeline's request checks: x-ms-date within ACS's skew, admin API on loopback only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRequestDate, isLoopback } from '../../../src/emulator/rest/hmac-auth.js';
import { computeSignature, contentHash, createEmulator } from '../../../src/emulator/index.js';

test('x-ms-date: missing, unparsable and more than 15 minutes off are refused; 14 minutes is accepted', () => {
  const now = Date.parse('Wed, 02 Dec 2026 12:00:00 GMT');
  assert.match(checkRequestDate(undefined, now) ?? '', /missing/);
  assert.match(checkRequestDate('yesterday-ish', now) ?? '', /not an RFC 1123 date/);
  assert.match(checkRequestDate('Wed, 02 Dec 2026 12:16:00 GMT', now) ?? '', /16 minutes/);
  assert.match(checkRequestDate('Wed, 02 Dec 2026 11:44:00 GMT', now) ?? '', /16 minutes/);
  assert.equal(checkRequestDate('Wed, 02 Dec 2026 12:14:00 GMT', now), undefined);
});

test('a correctly signed request with a stale x-ms-date gets 401 with ACS error JSON', async (t) => {
  const accessKey = Buffer.alloc(32, 7).toString('base64');
  const emulator = createEmulator({ port: 0, accessKey });
  const { url } = await emulator.listen();
  t.after(() => emulator.close());
  const path = '/calling/callConnections/nope?api-version=2025-06-15';
  const host = new URL(url).host;
  async function get(date: string) {
    const hash = contentHash('');
    const signature = computeSignature(accessKey, 'GET', path, date, host, hash);
    return fetch(url + path, {
      headers: { 'x-ms-date': date, 'x-ms-content-sha256': hash, authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}` },
    });
  }
  const stale = await get(new Date(Date.now() - 20 * 60_000).toUTCString());
  assert.equal(stale.status, 401);
  const body = (await stale.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'Unauthorized');
  assert.match(body.error.message, /x-ms-date .* minutes from the emulator's clock/);
  const fresh = await get(new Date().toUTCString());
  assert.equal(fresh.status, 404, 'a fresh date passes the check and reaches the handler (unknown call)');
});

test('the admin API answers loopback clients; other addresses are recognised as remote', async (t) => {
  for (const address of ['127.0.0.1', '127.3.4.5', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopback(address), true, address);
  for (const address of ['10.0.0.2', '::ffff:192.168.1.4', 'fe80::1', undefined]) assert.equal(isLoopback(address), false, String(address));
  const emulator = createEmulator({ port: 0 });
  const { url } = await emulator.listen();
  t.after(() => emulator.close());
  const response = await fetch(`${url}/admin/calls`);
  assert.equal(response.status, 200);
});
