// The call tools through the official SDK: transfer_call reaches only a configured target (a number the model
// makes up is refused, never dialled; the allowed one goes to transferCallToParticipant); send_dtmf presses keys.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitUntil } from '../wait-until.js';
import { CALLER, startAgentRig } from './harness.js';

test('transfer_call: a made-up number is refused and never dialled; the allowed target goes to the SDK', { timeout: 30_000 }, async (t) => {
  const rig = await startAgentRig(t, {
    script: {
      greeting: { tool: { name: 'transfer_call', arguments: { target: '+15550001111' } } },
      turns: [{ tool: { name: 'transfer_call', arguments: { target: '+15557654321' } } }],
      repeat: false,
    },
    scenario: { participants: [{ rawId: CALLER, steps: [{ atMs: 0, say: { type: 'silence' } }] }] },
    agent: { transferTo: ['+15557654321'] },
  });
  const { session } = await rig.call();
  const agent = await waitUntil(() => rig.agents.calls().find((c) => c.session === session), { message: 'the agent' });
  await waitUntil(() => agent.toolCalls.length >= 2, { timeoutMs: 15_000, message: () => `two tool calls: ${JSON.stringify(agent.toolCalls)}` });
  const calls = agent.toolCalls;
  assert.deepEqual(calls.map((c) => [c.name, (JSON.parse(c.arguments) as { target: string }).target]), [['transfer_call', '+15550001111'], ['transfer_call', '+15557654321']]);
  assert.match(calls[0].output, /^Refused: \+15550001111 is not an allowed target/);
  // The allowed target went to the SDK: "Transferred", or the SDK's own failure (with its reason) where the emulator
  // does not serve the operation.
  t.diagnostic(`allowed target: ${calls[1].output}`);
  assert.match(calls[1].output, /^Transferred to \+15557654321|^The call-control tool failed: .*transfer/i);
  assert.ok(!rig.emulator.listCalls().some((c) => c.participants.some((p) => p.includes('15550001111'))), 'the made-up number was never dialled');
});

test('send_dtmf presses keys toward the caller through the SDK (sendDtmfTones), also on a mixed stream', { timeout: 30_000 }, async (t) => {
  const rig = await startAgentRig(t, {
    script: { greeting: { tool: { name: 'send_dtmf', arguments: { tones: '12#' } } }, turns: [{ clip: 'reply-2' }], repeat: false },
    scenario: { participants: [{ rawId: CALLER, steps: [{ atMs: 0, say: { type: 'silence' } }] }] },
  });
  const { session, callConnectionId } = await rig.call();
  const agent = await waitUntil(() => rig.agents.calls().find((c) => c.session === session), { message: 'the agent' });
  await waitUntil(() => agent.toolCalls.length >= 1, { timeoutMs: 15_000, message: 'the send_dtmf call' });
  t.diagnostic(`send_dtmf: ${agent.toolCalls[0].output}`);
  assert.equal(agent.toolCalls[0].output, 'Pressed 12#.');
  await waitUntil(() => rig.emulator.getCall(callConnectionId)?.events.some((e) => e.type === 'SendDtmfTonesCompleted'), {
    message: () => `SendDtmfTonesCompleted: ${JSON.stringify(rig.emulator.getCall(callConnectionId)?.events.map((e) => e.type))}`,
  });
});
