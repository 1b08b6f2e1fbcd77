import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitUntil } from './wait-until.js';

test('waitUntil resolves with the first truthy value of the predicate', async () => {
  let calls = 0;
  const value = await waitUntil(() => ++calls >= 3 && `after ${calls} polls`, { intervalMs: 0 });
  assert.equal(value, 'after 3 polls');
});

test('waitUntil rejects on timeout naming what it waited for and what it saw', async () => {
  let seen = 0;
  await assert.rejects(
    waitUntil(() => ++seen > 1e9, { timeoutMs: 30, intervalMs: 5, message: () => `a billion polls (${seen > 0 ? 'some' : 'none'} seen)` }),
    /timed out after 30 ms waiting for a billion polls \(some seen\)/,
  );
});

test('waitUntil passes on what the predicate throws', async () => {
  await assert.rejects(waitUntil(async () => Promise.reject(new Error('broken probe'))), /broken probe/);
});
