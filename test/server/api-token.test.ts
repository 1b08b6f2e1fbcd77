// With --api-token the routes that are ours (dashboard, session API, recordings, live feed, metrics) need the token;
// the routes ACS calls and /healthz do not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { startServer } from './wire.js';

const TOKEN = 'test-token-0123456789abcdef';

test('API token: 401 without it, 200 with the Bearer header or the cookie from /?token=…, ACS routes stay open', async () => {
  const { server, url, wsUrl } = await startServer({ apiToken: TOKEN });
  try {
    for (const path of ['/api/sessions', '/metrics', '/api/recordings', '/']) {
      const refused = await fetch(url + path);
      assert.equal(refused.status, 401, `${path} without a token`);
      assert.match((await refused.json()).error.message, /Authorization: Bearer <token>/);
      assert.equal((await fetch(url + path, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status, 401, `${path} with a wrong token`);
    }
    assert.equal((await fetch(`${url}/api/sessions`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);

    const login = await fetch(`${url}/?token=${TOKEN}`, { redirect: 'manual' });
    assert.equal(login.status, 303);
    assert.equal(login.headers.get('location'), '/');
    const cookie = login.headers.get('set-cookie')!;
    assert.match(cookie, /HttpOnly; SameSite=Strict/);
    const withCookie = { cookie: cookie.split(';')[0] };
    assert.equal((await fetch(`${url}/api/sessions`, { headers: withCookie })).status, 200);
    assert.equal((await fetch(`${url}/?token=nope-nope-nope-nope`, { redirect: 'manual' })).status, 401);

    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    const liveUrl = wsUrl.replace('/ws', '/api/live');
    const refusedLive = new WebSocket(liveUrl);
    refusedLive.on('error', () => undefined);
    const [, response] = (await once(refusedLive, 'unexpected-response')) as [unknown, { statusCode: number }];
    assert.equal(response.statusCode, 401);
    const live = new WebSocket(liveUrl, { headers: withCookie });
    await once(live, 'open');
    live.close();
    const ingest = new WebSocket(wsUrl);
    await once(ingest, 'open');
    ingest.close();
  } finally {
    await server.close();
  }
});

test('an API token too short to be a secret is refused with how to make one', async () => {
  await assert.rejects(startServer({ apiToken: 'short' }), /at least 16 characters.*openssl rand -hex 24/);
});
