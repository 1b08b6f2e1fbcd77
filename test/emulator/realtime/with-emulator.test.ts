// createEmulator({ realtime }) starts the realtime model with the emulator: its URL on the handle, the emulator's
// access key as its key, closed with the emulator.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { createEmulator } from '../../../src/emulator/index.js';

test('createEmulator({ realtime }) serves the realtime model with the access key, and closes it with the emulator', async (t) => {
  const emulator = createEmulator({ port: 0, realtime: { port: 0 } });
  t.after(() => emulator.close());
  const { connectionString } = await emulator.listen();
  const model = emulator.realtime;
  assert.ok(model, 'the handle has the model');
  const accessKey = /accesskey=([^;]+)/.exec(connectionString)![1];
  assert.equal(model.apiKey, accessKey);
  const ws = new WebSocket(`${model.url}/v1/realtime?model=gpt-realtime`, { headers: { Authorization: `Bearer ${accessKey}` } });
  const [first] = (await new Promise<[Buffer]>((resolve, reject) => {
    ws.once('message', (data) => resolve([data as Buffer]));
    ws.once('error', reject);
  }));
  assert.equal(JSON.parse(first.toString()).type, 'session.created');
  const closed = new Promise((resolve) => ws.once('close', resolve));
  await emulator.close();
  await closed;
});
