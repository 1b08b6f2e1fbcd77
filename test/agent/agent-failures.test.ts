// Model failures on real parts: a model socket closed mid-answer is reconnected and the call goes on (recording
// too); with 20 concurrent agent calls, one killed model socket touches only its own call.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SessionSummary } from '../../src/server/index.js';
import { waitUntil } from '../wait-until.js';
import { callerScenario, startAgentRig } from './harness.js';

test('a model socket closed mid-answer is reconnected; the call and its recording go on', async (t) => {
  const scenario = { ...callerScenario(), durationMs: 14_000 };
  const rig = await startAgentRig(t, { scenario, agent: { reconnect: { attempts: 3, backoffMs: [200] } } });
  // The greeting's connection dies after 3 audio deltas (300 ms of audio).
  rig.model.setFaults({ closeMidResponseAfterDeltas: 3 });
  const { session } = await rig.call();
  const ended = new Promise<SessionSummary>((resolve) => session.once('end', resolve));
  const agent = await waitUntil(() => rig.agents.calls().find((c) => c.session === session), { message: 'the agent' });
  await waitUntil(() => agent.reconnects === 1, { timeoutMs: 10_000, message: () => `a reconnect (failures ${agent.failures}, state ${agent.state})` });
  assert.equal(agent.failures, 1);
  assert.equal(agent.state, 'active');
  const summary = await ended;
  const [first, second] = rig.model.connections();
  assert.ok(first && second, 'two model connections');
  // The new connection got the session back (instructions) and answered the caller's turns.
  assert.ok(second.turns.length >= 1, `the caller's turn reached the new connection: ${JSON.stringify(second.turns)}`);
  assert.ok(second.responses.length >= 1, 'the model answered after the reconnect');
  assert.ok(second.eventsIn.some((e: string) => e === 'session.update'), `session.update restored: ${second.eventsIn.slice(0, 5).join(',')}`);
  // Recording never stopped: the caller's track covers the whole call.
  const caller = summary.participants.find((p) => p.trackId !== 'talk-back');
  assert.ok(caller && caller.seconds > 12, `caller track: ${JSON.stringify(summary.participants)}`);
});

test('20 concurrent agent calls: one model socket killed, the other 19 finish untouched', async (t) => {
  const rig = await startAgentRig(t, { agent: { reconnect: { attempts: 3, backoffMs: [200] } } });
  const calls = await Promise.all(Array.from({ length: 20 }, () => rig.call()));
  const agents = await waitUntil(() => {
    const all = calls.map(({ session }) => rig.agents.calls().find((c) => c.session === session));
    return all.every((a) => a?.state === 'active') ? all.map((a) => a!) : undefined;
  }, { timeoutMs: 15_000, message: 'all 20 agents connected' });
  // Kill whichever connection streams audio next (the greetings are under way or done: the next answer).
  rig.model.setFaults({ closeMidResponseAfterDeltas: 1 });
  await waitUntil(() => agents.filter((a) => a.state === 'ended').length >= 19, {
    timeoutMs: 40_000,
    message: () => `19 calls ended by end_call: ${agents.map((a) => `${a.state}/${a.leftBy}/${a.failures}`).join(' ')}`,
  });
  const hit = agents.filter((a) => a.failures > 0);
  assert.equal(hit.length, 1, `exactly one call lost its model: ${agents.map((a) => a.failures).join(',')}`);
  assert.equal(hit[0].reconnects, 1, 'and got it back');
  const untouched = agents.filter((a) => a.failures === 0);
  assert.equal(untouched.length, 19);
  for (const a of untouched) {
    assert.equal(a.leftBy, 'hangup', 'each ended with end_call');
    // At least the scripted barge-in (a greeting that starts late under load may be cut by the caller's first words too).
    assert.ok(a.transport.stats.truncations.length >= 1, 'each had its barge-in');
    for (const cut of a.transport.stats.truncations) assert.ok(cut.audioEndMs < cut.generatedMs, 'truncated at what was heard');
    assert.equal(a.reconnects, 0);
  }
});
