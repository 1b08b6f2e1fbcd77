// What a web page the operator happens to visit must not be able to do with the dashboard's server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startServer } from './wire.js';

const TOKEN = 'test-token-0123456789abcdef';

function rawGet(url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    // node:http sends the path exactly as given (fetch would normalise `/.//` away).
    const req = request(url + '/', { path, headers }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('error', reject);
    req.end();
  });
}

test('the post-login redirect stays on the server, and the cookie is Secure over https', async (t) => {
  const { server, url } = await startServer({ apiToken: TOKEN });
  t.after(() => server.close());
  for (const path of [`/.//evil.example/?token=${TOKEN}`, `//evil.example/?token=${TOKEN}`, `/\\evil.example/?token=${TOKEN}`]) {
    const login = await rawGet(url, path);
    assert.equal(login.status, 303, path);
    const location = String(login.headers.location);
    assert.match(location, /^\/(?![/\\])/, `${path} redirected to ${location}`);
    assert.doesNotMatch(String(login.headers['set-cookie']), /Secure/);
  }
  const overHttps = await rawGet(url, `/?token=${TOKEN}`, { 'x-forwarded-proto': 'https' });
  assert.match(String(overHttps.headers['set-cookie']), /; Secure/);
});

test('the dashboard is served with CSP, frame-ancestors, X-Frame-Options and nosniff', async (t) => {
  const { server, url } = await startServer();
  t.after(() => server.close());
  const page = await fetch(`${url}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.equal(page.headers.get('x-frame-options'), 'DENY');
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
});

function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url + '/api/live', { headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers } });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

test('the live feed refuses a foreign Origin or Host (DNS rebinding) and accepts its own and --allowed-origin', async (t) => {
  const { server, url } = await startServer({ allowedOrigins: ['https://ops.example'] });
  t.after(() => server.close());
  const own = new URL(url);
  assert.equal(await upgradeStatus(url, { origin: 'https://evil.example' }), 403);
  assert.equal(await upgradeStatus(url, { host: `evil.example:${own.port}` }), 403);
  assert.equal(await upgradeStatus(url, { origin: url }), 101);
  assert.equal(await upgradeStatus(url, { origin: 'https://ops.example' }), 101);
  assert.equal(await upgradeStatus(url, {}), 101);
});

test('state-changing requests refuse a foreign Origin and the content types browsers send without preflight', async (t) => {
  const { server, url } = await startServer();
  t.after(() => server.close());
  const foreign = await fetch(`${url}/api/sessions/nope/stop-audio`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: '{}' });
  assert.equal(foreign.status, 403);
  assert.equal((await foreign.json()).error.code, 'origin_not_allowed');
  const plain = await fetch(`${url}/api/sessions/nope/play`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'RIFF' });
  assert.equal(plain.status, 415);
  const own = await fetch(`${url}/api/sessions/nope/stop-audio`, { method: 'POST', headers: { origin: url, 'content-type': 'application/json' }, body: '{}' });
  assert.equal(own.status, 404, 'same-origin JSON reaches the route (no such session)');
  const rebound = await rawGet(url, '/api/sessions', { host: 'evil.example' });
  assert.equal(rebound.status, 403);
});
