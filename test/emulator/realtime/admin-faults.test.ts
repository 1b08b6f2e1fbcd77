// Faults through the realtime model's admin API (no library access needed): refuse the next connects with 429/500,
// stall the first delta, drop open sockets; bad fault bodies are refused naming the field.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { WebSocket } from 'ws';
import { createRealtimeModel, type RealtimeModel } from '../../../src/emulator/index.js';
import { waitUntil } from '../../wait-until.js';

type Event = { type: string; [k: string]: unknown };

async function startModel(t: TestContext): Promise<{ model: RealtimeModel; admin: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: Record<string, unknown> }> }> {
  const model = createRealtimeModel();
  await model.listen();
  t.after(() => model.close());
  const base = model.url.replace('ws:', 'http:');
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { model, admin };
}

/** Opens a model socket: its upgrade status (101 when accepted), the error body of a refusal, and the socket. */
function open(t: TestContext, model: RealtimeModel): Promise<{ status: number; body?: { error: { code: string; type: string } }; retryAfter?: string; ws?: WebSocket; seen: Event[] }> {
  const ws = new WebSocket(`${model.url}/v1/realtime?model=gpt-realtime`, { headers: { Authorization: `Bearer ${model.apiKey}` } });
  t.after(() => ws.terminate());
  const seen: Event[] = [];
  ws.on('message', (d) => seen.push(JSON.parse(d.toString()) as Event));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ status: 101, ws, seen }));
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), retryAfter: res.headers['retry-after'], seen }));
    });
    ws.once('error', (e) => (e.message.includes('Unexpected server response') ? undefined : reject(e)));
  });
}

test('POST /admin/realtime/faults refuseNext: the next connect gets 429 (rate_limit_exceeded, retry-after), then 500 twice, then connects', async (t) => {
  const { model, admin } = await startModel(t);
  assert.equal((await admin('POST', '/admin/realtime/faults', { refuseNext: { status: 429 } })).status, 202);
  const limited = await open(t, model);
  assert.equal(limited.status, 429);
  assert.equal(limited.body?.error.code, 'rate_limit_exceeded');
  assert.equal(limited.retryAfter, '1');
  assert.equal((await open(t, model)).status, 101, 'only the next connect was refused');
  await admin('POST', '/admin/realtime/faults', { refuseNext: { status: 500, count: 2 } });
  const failed = [await open(t, model), await open(t, model)];
  assert.deepEqual(failed.map((f) => [f.status, f.body?.error.type]), [[500, 'server_error'], [500, 'server_error']]);
  assert.deepEqual((await admin('GET', '/admin/realtime/faults')).body, { faults: {} }, 'used up');
  assert.equal((await open(t, model)).status, 101);
});

test('POST /admin/realtime/faults firstDeltaDelayMs stalls each response before its first delta; DELETE clears it', async (t) => {
  const { model, admin } = await startModel(t);
  await admin('POST', '/admin/realtime/faults', { firstDeltaDelayMs: 400 });
  assert.deepEqual((await admin('GET', '/admin/realtime/faults')).body, { faults: { firstDeltaDelayMs: 400 } });
  const { ws, seen } = await open(t, model);
  const times = new Map<string, number>();
  ws!.on('message', (d) => {
    const type = (JSON.parse(d.toString()) as Event).type;
    if (!times.has(type)) times.set(type, performance.now());
  });
  ws!.send(JSON.stringify({ type: 'response.create' }));
  await waitUntil(() => times.has('response.output_audio.delta'), { message: () => `a delta among ${seen.map((e) => e.type).join(', ')}` });
  assert.ok(times.get('response.output_audio.delta')! - times.get('response.created')! >= 390, 'the first delta waited for the stall');
  assert.deepEqual((await admin('DELETE', '/admin/realtime/faults')).body, { faults: {} });
});

test('POST /admin/realtime/drop cuts one connection (the client sees 1006) or closes all with a code', async (t) => {
  const { model, admin } = await startModel(t);
  const a = await open(t, model);
  const b = await open(t, model);
  const closed = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  const aClosed = closed(a.ws!);
  const ids = model.connections().map((c) => c.id);
  assert.deepEqual((await admin('POST', '/admin/realtime/drop', { connectionId: ids[0] })).body, { dropped: [ids[0]] });
  assert.equal(await aClosed, 1006);
  assert.equal(b.ws!.readyState, WebSocket.OPEN, 'the other connection stays');
  const bClosed = closed(b.ws!);
  assert.deepEqual((await admin('POST', '/admin/realtime/drop', { code: 4000 })).body, { dropped: [ids[1]] });
  assert.equal(await bClosed, 4000);
  assert.equal((await admin('POST', '/admin/realtime/drop', { connectionId: ids[0] })).status, 404, 'no longer open');
});

test('the admin API refuses bad fault bodies naming the field, and unknown routes naming the routes', async (t) => {
  const { admin } = await startModel(t);
  const unknown = await admin('POST', '/admin/realtime/faults', { dropEverything: true });
  assert.equal(unknown.status, 400);
  assert.match(String((unknown.body.error as { message: string }).message), /dropEverything/);
  const status = await admin('POST', '/admin/realtime/faults', { refuseNext: { status: 404 } });
  assert.equal(status.status, 400);
  assert.match(String((status.body.error as { message: string }).message), /refuseNext\.status/);
  assert.equal((await admin('POST', '/admin/realtime/drop', { code: 1006 })).status, 400);
  const route = await admin('GET', '/admin/realtime/nope');
  assert.equal(route.status, 404);
  assert.match(String((route.body.error as { message: string }).message), /\/admin\/realtime\/faults/);
});
