// NATS dies mid-call: ingest and recording go on untouched, what could not be published is counted, the node keeps
// answering, and it still shuts down promptly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMediaEngine } from '../../src/emulator/index.js';
import { readWav } from '../../src/audio/index.js';
import type { SessionSummary } from '../../src/server/index.js';
import { skipWithoutNats, startNatsServer } from './nats-harness.js';
import { startCall, startNode, twoPartyScenario } from './nats-cluster-fixtures.js';
import { waitUntil } from '../wait-until.js';

function natsCounts(metrics: string, outcome: string): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    const match = /^acs_audio_nats_messages_total\{kind="[a-z]+",outcome="([a-z]+)"\} (\d+)/.exec(line);
    if (match && match[1] === outcome) total += Number(match[2]);
  }
  return total;
}

test('NATS killed mid-call: the call is recorded whole, the loss to NATS is counted, the node stays up and closes', { skip: skipWithoutNats, timeout: 60_000 }, async () => {
  const nats = await startNatsServer();
  const node = await startNode(nats.url, 'node-outage');
  const engine = createMediaEngine({ speed: 2 });
  try {
    const ended = new Promise<SessionSummary>((resolve) => node.server.on('session', (s) => s.once('end', resolve)));
    const call = startCall(engine, node.wsUrl, 'outage', twoPartyScenario(4000));
    await waitUntil(async () => natsCounts(await (await fetch(`${node.url}/metrics`)).text(), 'acked') > 20, { timeoutMs: 10_000, message: 'frames acknowledged by JetStream' });
    nats.process.kill('SIGKILL');
    await waitUntil(async () => /acs_audio_nats_connected 0/.test(await (await fetch(`${node.url}/metrics`)).text()), { timeoutMs: 10_000, message: 'the node to notice NATS is gone' });
    assert.equal((await fetch(`${node.url}/healthz`)).status, 200, 'the node answers while NATS is down');

    await call.events.done;
    const summary = await ended;
    assert.equal(summary.counts.rejected, 0);
    assert.equal(summary.counts.gapsFilled, 0, 'ingest never stalled');
    assert.equal(summary.participants.length, 2);
    for (const participant of summary.participants) {
      assert.equal(participant.frames, 200, `${participant.trackId}: 4 s of frames`);
      const wav = readWav(await readFile(join(summary.recordingDir!, participant.file!)));
      assert.equal(wav.samples.length, 200 * 320);
    }
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    const queued = natsCounts(metrics, 'queued');
    const acked = natsCounts(metrics, 'acked');
    assert.ok(acked < queued, `not everything reached JetStream (${acked} acked of ${queued} queued) and the metrics say so`);

    const closing = Date.now();
    await node.server.close();
    assert.ok(Date.now() - closing < 15_000, 'close does not wait for NATS to come back');
  } finally {
    await engine.close();
    await node.server.close();
    await nats.stop();
  }
});
