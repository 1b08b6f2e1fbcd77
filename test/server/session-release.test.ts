// Ended calls are released whether or not a dashboard watches (issue 24, item 2): the live feed used to mark a session
// ended only when a dashboard's tick sampled it, so with nobody watching every ended session stayed in memory.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMediaHub, type MediaHub } from '../../src/media/index.js';
import { createLiveFeed, type LiveFeed } from '../../src/server/live-feed.js';

const T0 = Date.parse('2026-01-02T10:00:00.000Z');
const PCM = Buffer.alloc(640).toString('base64');

async function waitUntil(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** One short call: metadata, a few frames from two participants, then the socket closes normally. */
function shortCall(hub: MediaHub, n: number): void {
  const conn = hub.connect({ url: `/ws?call=${n}`, remoteAddress: '127.0.0.1', headers: {}, send: () => true, bufferedAmount: () => 0, close: () => undefined });
  const metadata = { kind: 'AudioMetadata', audioMetadata: { subscriptionId: `sub-${n}`, encoding: 'PCM', sampleRate: 16000, channels: 1, length: 640 } };
  conn.receive(Buffer.from(JSON.stringify(metadata)), false);
  for (let i = 0; i < 5; i++) {
    for (const rawId of ['4:+15551234567', '8:acs:bob']) {
      const timestamp = new Date(T0 + i * 20).toISOString();
      conn.receive(Buffer.from(JSON.stringify({ kind: 'AudioData', audioData: { timestamp, participantRawID: rawId, data: PCM, silent: true } })), false);
    }
  }
  conn.closed(1000, 'call over');
}

describe('session release with no dashboard', () => {
  let dir: string;
  let hub: MediaHub;
  let feed: LiveFeed;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'acs-release-'));
    hub = createMediaHub({ recordingsDir: dir, reconnectGraceMs: 0, keepRecentSessions: 10 });
    feed = createLiveFeed({ hub, tickMs: 50, keepEndedSessions: 5 });
  });
  after(async () => {
    await feed.close();
    await hub.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps at most keepEndedSessions ended sessions in the live feed and keepRecentSessions in the hub over 300 calls', async () => {
    assert.equal(feed.stats().clients, 0);
    const heapBefore = process.memoryUsage().heapUsed;
    for (let n = 0; n < 300; n++) {
      shortCall(hub, n);
      if (n % 50 === 49) await waitUntil(() => hub.sessions().every((s) => s.state === 'ended' || s.state === 'failed'), 'sessions to end');
    }
    await waitUntil(() => hub.sessions().every((s) => s.state === 'ended' || s.state === 'failed'), 'sessions to end');
    // Before the fix this was 300: nothing was forgotten without a dashboard's tick.
    assert.ok(feed.stats().sessionsFollowed <= 5, `live feed follows ${feed.stats().sessionsFollowed} sessions`);
    await waitUntil(() => hub.sessions().length <= 10, `the hub to keep at most 10 sessions (has ${hub.sessions().length})`);
    // A generous bound on top of the counts: 300 retained sessions were ~100 MB.
    const grownMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
    assert.ok(grownMb < 64, `heap grew ${grownMb.toFixed(1)} MB`);
  });
});
