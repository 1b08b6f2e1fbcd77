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
