import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createJitterHistogram, createPacer } from '../../../src/emulator/engine/pacer.js';
import { waitUntil } from '../../wait-until.js';

test('one scheduler delivers consecutive ticks to every client, from the tick each joined on', async () => {
  const pacer = createPacer({ speed: 20 });
  const seen: Record<string, number[]> = { a: [], b: [] };
  let joinedB = 0;
  const a = {
    onTick(tick: number) {
      seen.a.push(tick);
      if (seen.a.length === 5) joinedB = pacer.add(b);
      if (seen.a.length === 20) pacer.remove(a);
    },
  };
  const b = {
    onTick(tick: number) {
      seen.b.push(tick);
      if (seen.b.length === 10) pacer.remove(b);
    },
  };
  const first = pacer.add(a);
  await waitUntil(() => pacer.streams === 0, { intervalMs: 5, message: () => `every client to remove itself (${pacer.streams} left)` });

  assert.deepEqual(seen.a, Array.from({ length: 20 }, (_, i) => first + i));
  assert.deepEqual(seen.b, Array.from({ length: 10 }, (_, i) => joinedB + i));
  assert.equal(pacer.jitter().count, 30);
  pacer.close();
});

test('after the event loop was blocked, every tick that came due is delivered, none skipped', async () => {
  const pacer = createPacer({ speed: 1 });
  const ticks: number[] = [];
  let blocked = false;
  const client = {
    onTick(tick: number) {
      ticks.push(tick);
      if (!blocked) {
        blocked = true;
        const until = performance.now() + 200;
        while (performance.now() < until) {
          // Busy: the timer cannot fire for 200 ms (10 ticks of 20 ms).
        }
      }
      if (ticks.length === 15) pacer.remove(client);
    },
  };
  pacer.add(client);
  await waitUntil(() => pacer.streams === 0, { intervalMs: 5, message: () => `every client to remove itself (${pacer.streams} left)` });

  assert.deepEqual(ticks, Array.from({ length: 15 }, (_, i) => ticks[0] + i));
  assert.ok(pacer.jitter().maxMs >= 150, 'the late ticks are measured as late');
  pacer.close();
});

test('streams that join together are spread over the 20 ms period, each on its own steady 20 ms clock', async () => {
  const pacer = createPacer({ speed: 1 });
  const clients = 20;
  const calls: Array<Array<{ tick: number; at: number; lateMs: number }>> = Array.from({ length: clients }, () => []);
  for (let i = 0; i < clients; i++) {
    const client = {
      onTick(tick: number, lateMs: number) {
        calls[i].push({ tick, at: performance.now(), lateMs });
        if (calls[i].length === 10) pacer.remove(client);
      },
    };
    pacer.add(client);
  }
  await waitUntil(() => pacer.streams === 0, { intervalMs: 5, message: () => `every client to remove itself (${pacer.streams} left)` });

  for (const seen of calls) {
    assert.deepEqual(seen.map((c) => c.tick), Array.from({ length: 10 }, (_, k) => seen[0].tick + k));
    assert.ok(seen.every((c) => c.lateMs >= 0), 'never called before its due time');
  }
  // Twenty slots 1 ms apart: within one tick, the last stream is called well after the first (it is due 19 ms
  // later), where one shared instant would call them all within a fraction of a millisecond.
  const tick = Math.max(...calls.map((seen) => seen[0].tick));
  const times = calls.map((seen) => seen.find((c) => c.tick === tick)!.at);
  assert.ok(Math.max(...times) - Math.min(...times) >= 10, `spread over ${Math.max(...times) - Math.min(...times)} ms`);
  pacer.close();
});

test('the jitter histogram reports percentiles of what it recorded', () => {
  const histogram = createJitterHistogram();
  for (let i = 1; i <= 100; i++) histogram.record(i / 10);
  const stats = histogram.stats();
  assert.equal(stats.count, 100);
  assert.ok(Math.abs(stats.p50Ms - 5) <= 0.1);
  assert.ok(Math.abs(stats.p99Ms - 9.9) <= 0.1);
  assert.equal(stats.maxMs, 10);
});
