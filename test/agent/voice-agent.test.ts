// A voice agent on a real call: the Agents SDK's RealtimeSession over our transport, our media server, the ACS
// emulator (bidirectional pcm24KMono) and the emulator's realtime model, all on loopback.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitUntil } from '../wait-until.js';
import { startRig, tonesScenario } from './harness.js';

test('greeting, barge-in truncated at what the caller heard (within 40 ms of the emulator), then a turn', { timeout: 30_000 }, async (t) => {
  // The caller speaks over the greeting (reply-0 is 3.8 s) at 1.5 s, then waits for the answer.
  const rig = await startRig(t, { scenario: tonesScenario([{ atMs: 1500, durationMs: 700 }]), model: { script: { greeting: { clip: 'reply-0' }, turns: [{ clip: 'reply-1' }] } } });
  const { agent, callConnectionId } = await rig.call();
  await agent.ready;
  assert.equal(agent.state, 'connected');
  const conn = await waitUntil(() => rig.model.connections()[0], { message: 'a model connection' });
  await waitUntil(() => conn.truncations.length >= 1, { timeoutMs: 15_000, message: () => `a truncation: ${JSON.stringify(agent.stats())}` });
  await waitUntil(() => conn.responses.length >= 2 && conn.responses[1].status === 'completed', { timeoutMs: 15_000, message: () => `the turn's answer: ${JSON.stringify(conn.responses)}` });
  const acs = await waitUntil(() => rig.emulator.getCall(callConnectionId)?.media?.outboundStopAudio[0], { message: 'the emulator to see StopAudio' });
  const truncate = conn.truncations[0];
  t.diagnostic(`truncate audio_end_ms ${truncate.audioEndMs}, emulator heard ${acs.heardMs} ms, dropped ${acs.droppedMs} ms`);
  assert.equal(conn.truncations.length, 1, 'exactly one truncate');
  assert.ok(Math.abs(truncate.audioEndMs - acs.heardMs) <= 40, `truncated at ${truncate.audioEndMs} ms, the emulator's caller heard ${acs.heardMs} ms`);
  assert.ok(truncate.audioEndMs > 500 && truncate.audioEndMs < 3000, `cut within the greeting (${truncate.audioEndMs} ms)`);
  // The model generates ~100x faster than real time: the greeting was fully generated, only partly heard.
  assert.ok(conn.responses[0].audioMs > truncate.audioEndMs + 500, `generated ${conn.responses[0].audioMs} ms`);
  const stats = agent.stats();
  assert.equal(stats.bargeIns, 1);
  assert.equal(stats.truncations[0].audioEndMs, truncate.audioEndMs);
  assert.ok(stats.truncations[0].generatedMs > truncate.audioEndMs, 'the model had generated more than was heard');
  assert.ok(stats.turns >= 1);
  await waitUntil(() => agent.stats().turnLatencyMs.length >= 1, { message: 'a turn latency' });
  assert.ok(stats.stopAudioMs.count === 1);
  const metrics = await rig.server.metrics.registry.metrics();
  assert.match(metrics, /acs_audio_agent_barge_ins_total 1/);
  assert.match(metrics, /acs_audio_agent_truncations_total 1/);
  assert.match(metrics, /acs_audio_agent_sessions_active 1/);
});
