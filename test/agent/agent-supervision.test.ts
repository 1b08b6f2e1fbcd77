// What the caller's keypad and a failing model do to an agent call, on real parts: DTMF reaches the model as a user
// message (and end_call waits until the answer in progress was heard); a model silent during a turn counts as a
// failure and is reconnected; a model that stays unreachable gets the fallback WAV and a hang-up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitUntil } from '../wait-until.js';
import { CALLER, startAgentRig } from './harness.js';

const quietCaller = (steps: Array<{ atMs: number; dtmf?: string }> = []) => ({
  participants: [{ rawId: CALLER, steps: [{ atMs: 0, say: { type: 'silence' as const } }, ...steps] }],
});

test('caller DTMF → a user message; end_call hangs up only once the greeting in progress was heard', { timeout: 30_000 }, async (t) => {
  // The caller presses 5 during the 3.8 s greeting; the model answers with end_call at once.
  const rig = await startAgentRig(t, {
    script: { greeting: { clip: 'reply-0' }, turns: [{ tool: { name: 'end_call', arguments: { reason: 'the caller is done' } } }], repeat: false },
    scenario: quietCaller([{ atMs: 800, dtmf: '5' }]),
  });
  const { session, callConnectionId } = await rig.call();
  const agent = await waitUntil(() => rig.agents.calls().find((c) => c.session === session), { message: 'the agent' });
  await waitUntil(() => agent.leftBy === 'hangup', { timeoutMs: 15_000, message: () => `end_call: ${JSON.stringify(agent.toolCalls)}` });
  const conn = rig.model.connections()[0];
  assert.ok(conn.eventsIn.includes('conversation.item.create'), 'the DTMF went to the model as a user message');
  assert.deepEqual(agent.toolCalls.map((c) => c.name), ['end_call']);
  const stats = agent.stats();
  assert.deepEqual([stats.connects, stats.failures, stats.bargeIns, stats.leftBy], [1, 0, 0, 'hangup']);
  assert.ok(stats.audioOut.count > 0 && stats.audioOut.p99 !== undefined, 'the bridge latency was sampled');
  const call = await waitUntil(() => {
    const c = rig.emulator.getCall(callConnectionId);
    return c && /disconnected/i.test(c.state) ? c : undefined;
  }, { message: () => `the hang-up: ${rig.emulator.getCall(callConnectionId)?.state}` });
  const heard = call.media?.outboundHeardMs ?? 0;
  t.diagnostic(`the caller heard ${heard} ms of the ${conn.responses[0].audioMs} ms greeting before the hang-up`);
  assert.ok(heard >= conn.responses[0].audioMs - 60, `the greeting was heard out before hanging up (${heard} ms)`);
  assert.equal(call.media?.outboundStopAudio.length, 0, 'no barge-in');
});

test('a model silent during a turn is a failure: its socket is dropped and reconnected', { timeout: 30_000 }, async (t) => {
  const rig = await startAgentRig(t, {
    script: { greeting: { clip: 'reply-2' } },
    scenario: quietCaller(),
    agent: { silenceTimeoutMs: 400, reconnect: { attempts: 3, backoffMs: [50] } },
  });
  // The greeting's first audio is held 3 s: past the 400 ms silence limit.
  rig.model.setFaults({ firstDeltaDelayMs: 3_000 });
  const { session } = await rig.call();
  const agent = await waitUntil(() => rig.agents.calls().find((c) => c.session === session), { message: 'the agent' });
  await waitUntil(() => agent.reconnects === 1 && agent.state === 'active', { timeoutMs: 10_000, message: () => `a reconnect: ${agent.state} ${agent.failures}` });
  assert.equal(agent.failures, 1);
  assert.equal(agent.transport.stats.modelSilent, 1);
  assert.equal(session.state === 'ended', false, 'the call goes on');
});

test('a model that stays unreachable: the fallback WAV plays, then the call is hung up; recording goes on to the end', { timeout: 30_000 }, async (t) => {
  const rig = await startAgentRig(t, {
    script: { greeting: { clip: 'reply-2' } },
    scenario: quietCaller(),
    agent: { reconnect: { attempts: 2, backoffMs: [20] }, fallbackWavPath: 'fixtures/realtime/reply-4.wav' },
  });
  rig.model.setFaults({ refuseForMs: 60_000 });
  const { session, callConnectionId } = await rig.call();
  const agent = await waitUntil(() => rig.agents.calls().find((c) => c.session === session), { message: 'the agent' });
  await waitUntil(() => /disconnected/i.test(rig.emulator.getCall(callConnectionId)?.state ?? ''), { timeoutMs: 15_000, message: () => `the hang-up: ${agent.state} ${agent.failures}` });
  assert.equal(agent.leftBy, 'fallback');
  assert.equal(agent.failures, 3, 'the first attempt and two reconnects');
  const heard = rig.emulator.getCall(callConnectionId)?.media?.outboundHeardMs ?? 0;
  t.diagnostic(`the caller heard ${heard} ms of the fallback WAV`);
  assert.ok(heard >= 2_200, `the 2.3 s fallback was heard before the hang-up (${heard} ms)`);
  assert.ok(session.summary().counts.framesWritten > 100, 'the caller was recorded meanwhile');
});

test('without a WAV, the fallback text is spoken through the SDK (playToAll) before the hang-up', { timeout: 30_000 }, async (t) => {
  const rig = await startAgentRig(t, {
    script: { greeting: { clip: 'reply-2' } },
    scenario: quietCaller(),
    agent: { reconnect: { attempts: 1, backoffMs: [20] }, fallbackText: 'Sorry, please call again later.' },
  });
  rig.model.setFaults({ refuseForMs: 60_000 });
  const { session, callConnectionId } = await rig.call();
  const agent = await waitUntil(() => rig.agents.calls().find((c) => c.session === session), { message: 'the agent' });
  await waitUntil(() => /disconnected/i.test(rig.emulator.getCall(callConnectionId)?.state ?? ''), { timeoutMs: 20_000, message: () => `the hang-up: ${agent.state}` });
  assert.equal(agent.leftBy, 'fallback');
  const events = rig.emulator.getCall(callConnectionId)?.events.map((e) => e.type) ?? [];
  t.diagnostic(`callbacks: ${events.join(', ')}`);
  const played = events.indexOf('PlayCompleted');
  assert.ok(played >= 0, 'the text was played');
  assert.ok(played < events.indexOf('CallDisconnected'), 'before the hang-up');
});

test('a 16 kHz call: the caller reaches the model resampled to 24 kHz (the model hears real time), talk-back goes back', { timeout: 30_000 }, async (t) => {
  const rig = await startAgentRig(t, {
    script: { greeting: { clip: 'reply-2' } },
    scenario: { participants: [{ rawId: CALLER, steps: [{ atMs: 0, say: { type: 'tone', frequencyHz: 300, amplitude: 0.005 } }] }] },
  });
  const { session, callConnectionId } = await rig.call({ format: 'pcm16k' });
  assert.equal(session.sampleRate, 16000);
  const agent = await waitUntil(() => rig.agents.calls().find((c) => c.session === session), { message: 'the agent' });
  await waitUntil(() => agent.state === 'active', { message: 'the model connection' });
  const conn = await waitUntil(() => rig.model.connections()[0], { message: 'a model connection' });
  await waitUntil(() => conn.audioMsAppended >= 2_000, { timeoutMs: 10_000, message: () => `2 s of caller audio at the model (${conn.audioMsAppended} ms)` });
  // The model counts appended audio at 24 kHz: 16 kHz samples passed through unconverted would count two thirds.
  const recorded = session.summary().participants.reduce((ms, p) => (p.trackId === 'talk-back' ? ms : Math.max(ms, p.frames * 20)), 0);
  t.diagnostic(`the model heard ${conn.audioMsAppended} ms; the caller track holds ${recorded} ms`);
  assert.ok(Math.abs(conn.audioMsAppended - recorded) <= 200, `model ${conn.audioMsAppended} ms vs recorded ${recorded} ms`);
  await waitUntil(() => (rig.emulator.getCall(callConnectionId)?.media?.outboundHeardMs ?? 0) >= 1_000, { message: 'the greeting heard at 16 kHz' });
});

test('an unmixed call: the model hears the participants summed into one stream, never the agent itself', { timeout: 30_000 }, async (t) => {
  const quietTone = (frequencyHz: number) => [{ atMs: 0, say: { type: 'tone' as const, frequencyHz, amplitude: 0.004 } }];
  const rig = await startAgentRig(t, {
    script: { greeting: { clip: 'reply-0' } },
    scenario: { participants: [{ rawId: CALLER, steps: quietTone(300) }, { rawId: '8:acs:test_second', steps: quietTone(500) }] },
  });
  const { session, callConnectionId } = await rig.call({ channel: 'unmixed' });
  const conn = await waitUntil(() => rig.model.connections()[0], { message: 'a model connection' });
  // While the greeting plays (its talk-back frames are on the session's 'audio' too) and two participants talk.
  await waitUntil(() => (rig.emulator.getCall(callConnectionId)?.media?.outboundHeardMs ?? 0) >= 1_500, { timeoutMs: 10_000, message: 'the greeting under way' });
  const tracks = session.summary().participants.filter((p) => p.trackId !== 'talk-back' && p.participantRawId !== undefined);
  const recorded = Math.max(...tracks.map((p) => p.frames * 20));
  t.diagnostic(`model heard ${conn.audioMsAppended} ms; ${tracks.length} participant tracks of up to ${recorded} ms`);
  assert.equal(tracks.length, 2);
  // One stream in real time: not one per participant (2x), and not the talk-back on top.
  assert.ok(Math.abs(conn.audioMsAppended - recorded) <= 200, `model ${conn.audioMsAppended} ms vs ${recorded} ms per participant`);
});
