// A malformed percent-encoding in an API path is the client's mistake: 400 with a code, not a 500 with a stack
// (issue 24, item 8). Before the fix decodeURIComponent threw a URIError that ended as a 500.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './wire.js';

test('GET/POST /api/sessions/<malformed %-encoding> answers 400 bad_path', async (t) => {
  const { server, url } = await startServer();
  t.after(() => server.close());
  for (const path of ['/api/sessions/%E0%A4%A', '/api/sessions/%/play']) {
    const res = await fetch(`${url}${path}`, { method: path.endsWith('/play') ? 'POST' : 'GET', headers: { 'content-type': 'application/json' }, body: path.endsWith('/play') ? '{}' : undefined });
    assert.equal(res.status, 400, path);
    const body = (await res.json()) as { error?: { code?: string } } & { code?: string };
    assert.match(JSON.stringify(body), /bad_path/, path);
  }
});
