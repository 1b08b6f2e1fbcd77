// addParticipant, cancelAddParticipantOperation, removeParticipant, transferCallToParticipant, listParticipants,
// getParticipant, muteParticipant, hold / unhold through the official SDK; every event through parseCallAutomationEvent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CallAutomationClient } from '@azure/communication-call-automation';
import { RestError } from '@azure/core-rest-pipeline';
import { connectedCall, startCallbacks, startEmulator, type Received } from './sdk-harness.js';
import { startRecordingServer } from './engine/recording-server.js';

const caller = { phoneNumber: '+15551234567' };
const agent = { phoneNumber: '+15557654321' };

function rawIdOf(event: Received, field: string): string | undefined {
  return (event.raw.data[field] as { rawId?: string } | undefined)?.rawId;
}

test('addParticipant with no scenario: the callee answers, AddParticipantSucceeded and ParticipantsUpdated; list and get see it', async (t) => {
  const { client } = await startEmulator(t);
  const callbacks = await startCallbacks(t);
  const call = await connectedCall(client, callbacks);
  const added = await call.connection.addParticipant({ targetParticipant: agent }, { operationContext: 'escalate' });
  assert.ok(added.invitationId, 'the 202 carries an invitationId');
  assert.equal(added.operationContext, 'escalate');
  const succeeded = await callbacks.waitFor('AddParticipantSucceeded');
  assert.equal(succeeded.parsed.operationContext, 'escalate');
  assert.equal(rawIdOf(succeeded, 'participant'), '4:+15557654321');
  const updated = await callbacks.waitFor('ParticipantsUpdated', 1);
  assert.deepEqual((updated.raw.data.participants as Array<{ identifier: { rawId: string } }>).map((p) => p.identifier.rawId), ['4:+15551234567', '4:+15557654321']);
  assert.equal(updated.raw.data.sequenceNumber, 2);
  const list = await call.connection.listParticipants();
  assert.deepEqual(list.values?.map((p) => (p.identifier as { phoneNumber: string }).phoneNumber), ['+15551234567', '+15557654321']);
  const one = await call.connection.getParticipant(agent);
  assert.equal((one.identifier as { phoneNumber: string }).phoneNumber, '+15557654321');
  assert.equal(one.isMuted, false);
  const missing = await call.connection.getParticipant({ phoneNumber: '+15550000099' }).catch((e: unknown) => e);
  assert.ok(missing instanceof RestError);
  assert.equal(missing.statusCode, 404);
  assert.deepEqual(callbacks.parseErrors, []);
});

test('scenario callees: busy, noAnswer and decline give AddParticipantFailed with their codes; a ringing add can be canceled', async (t) => {
  const { client } = await startEmulator(t, {
    scenario: {
      participants: [{ rawId: '4:+15551234567', steps: [] }],
      callees: [
        { rawId: '4:+15550000001', answer: 'busy' },
        { rawId: '4:+15550000002', answer: 'noAnswer' },
        { rawId: '4:+15550000003', answer: 'decline' },
        { rawId: '4:+15550000004', ringMs: 60_000 },
      ],
    },
  });
  const callbacks = await startCallbacks(t);
  const call = await connectedCall(client, callbacks);
  const codes: number[] = [];
  for (const [n, phoneNumber] of ['+15550000001', '+15550000002', '+15550000003'].entries()) {
    await call.connection.addParticipant({ targetParticipant: { phoneNumber } });
    const failed = await callbacks.waitFor('AddParticipantFailed', n);
    assert.equal(rawIdOf(failed, 'participant'), `4:${phoneNumber}`);
    codes.push(failed.parsed.resultInformation!.code!);
  }
  assert.deepEqual(codes, [486, 408, 603]);
  const ringing = await call.connection.addParticipant({ targetParticipant: { phoneNumber: '+15550000004' } });
  const canceled = await call.connection.cancelAddParticipantOperation(ringing.invitationId!, { operationContext: 'never-mind' });
  assert.equal(canceled.invitationId, ringing.invitationId);
  const event = await callbacks.waitFor('CancelAddParticipantSucceeded');
  assert.equal(event.raw.data.invitationId, ringing.invitationId);
  assert.equal(event.parsed.operationContext, 'never-mind');
  await call.connection.cancelAddParticipantOperation('no-such-invitation');
  assert.equal((await callbacks.waitFor('CancelAddParticipantFailed')).parsed.resultInformation?.subCode, 8523);
  const list = await call.connection.listParticipants();
  assert.equal(list.values?.length, 1, 'no failed or canceled callee joined');
});

test('removeParticipant: RemoveParticipantSucceeded and ParticipantsUpdated; removing someone not in the call is 404', async (t) => {
  const { client } = await startEmulator(t);
  const callbacks = await startCallbacks(t);
  const call = await connectedCall(client, callbacks);
  await call.connection.addParticipant({ targetParticipant: agent });
  await callbacks.waitFor('AddParticipantSucceeded');
  const removed = await call.connection.removeParticipant(agent, { operationContext: 'bye-agent' });
  assert.equal(removed.operationContext, 'bye-agent');
  const event = await callbacks.waitFor('RemoveParticipantSucceeded');
  assert.equal(rawIdOf(event, 'participant'), '4:+15557654321');
  const updated = await callbacks.waitFor('ParticipantsUpdated', 2);
  assert.equal((updated.raw.data.participants as unknown[]).length, 1);
  const again = await call.connection.removeParticipant(agent).catch((e: unknown) => e);
  assert.ok(again instanceof RestError);
  assert.equal(again.statusCode, 404);
  assert.equal(again.code, '8523');
});

test('muteParticipant and hold / unhold show in the participant list and ParticipantsUpdated; hold of a stranger is HoldFailed', async (t) => {
  const { client } = await startEmulator(t);
  const callbacks = await startCallbacks(t);
  const call = await connectedCall(client, callbacks);
  await call.connection.muteParticipant(caller, { operationContext: 'quiet' });
  assert.equal((await call.connection.getParticipant(caller)).isMuted, true);
  await call.media.hold(caller);
  assert.equal((await call.connection.getParticipant(caller)).isOnHold, true);
  await call.media.unhold(caller);
  assert.equal((await call.connection.getParticipant(caller)).isOnHold, false);
  const last = await callbacks.waitFor('ParticipantsUpdated', 3);
  assert.deepEqual((last.raw.data.participants as Array<{ isMuted: boolean; isOnHold: boolean }>)[0], { ...(last.raw.data.participants as object[])[0], isMuted: true, isOnHold: false });
  await call.media.hold({ phoneNumber: '+15550000099' }, { operationContext: 'stranger' });
  assert.equal((await callbacks.waitFor('HoldFailed')).parsed.operationContext, 'stranger');
});

test('transferCallToParticipant: CallTransferAccepted then the bot\'s call ends; a busy target gives CallTransferFailed and the call goes on', async (t) => {
  const { client } = await startEmulator(t, { scenario: { participants: [{ rawId: '4:+15551234567', steps: [] }], callees: [{ rawId: '4:+15550000001', answer: 'busy' }] } });
  const callbacks = await startCallbacks(t);
  const call = await connectedCall(client, callbacks);
  await call.connection.transferCallToParticipant({ phoneNumber: '+15550000001' }, { operationContext: 'to-busy' });
  const failed = await callbacks.waitFor('CallTransferFailed');
  assert.equal(failed.parsed.operationContext, 'to-busy');
  assert.equal(failed.parsed.resultInformation?.code, 486);
  const result = await call.connection.transferCallToParticipant(agent, { operationContext: 'to-agent' });
  assert.equal(result.operationContext, 'to-agent');
  const accepted = await callbacks.waitFor('CallTransferAccepted');
  assert.equal(rawIdOf(accepted, 'transferTarget'), '4:+15557654321');
  assert.equal(rawIdOf(accepted, 'transferee'), '4:+15551234567');
  await callbacks.waitFor('CallDisconnected');
  const after = await call.connection.listParticipants().catch((e: unknown) => e);
  assert.ok(after instanceof RestError);
  assert.equal(after.statusCode, 404, 'the transferred call connection is gone, as ACS forgets it');
  assert.deepEqual(callbacks.parseErrors, []);
});

async function streamingCall(client: CallAutomationClient, callbacks: Awaited<ReturnType<typeof startCallbacks>>, url: string, channel: 'mixed' | 'unmixed') {
  const result = await client.createCall({ targetParticipant: caller, sourceCallIdNumber: { phoneNumber: '+15550000000' } }, `${callbacks.url}/cb`, {
    mediaStreamingOptions: { transportType: 'websocket', transportUrl: url, audioChannelType: channel, contentType: 'audio', startMediaStreaming: true },
  });
  await callbacks.waitFor('MediaStreamingStarted');
  return result.callConnection;
}

test('an added participant joins an unmixed stream under its own participantRawID and speaks; a muted one goes silent; a removed one stops', async (t) => {
  const { client } = await startEmulator(t);
  const callbacks = await startCallbacks(t);
  const media = await startRecordingServer();
  t.after(() => media.close());
  const connection = await streamingCall(client, callbacks, media.url, 'unmixed');
  const socket = await media.connection(0);
  await connection.addParticipant({ targetParticipant: agent });
  await callbacks.waitFor('AddParticipantSucceeded');
  const frames = () => socket.messages.map((m) => JSON.parse(m) as { kind: string; audioData?: { participantRawID: string; silent: boolean } }).filter((p) => p.kind === 'AudioData');
  const agentFrames = () => frames().filter((p) => p.audioData!.participantRawID === '4:+15557654321');
  for (;;) {
    if (agentFrames().some((p) => !p.audioData!.silent)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  await connection.muteParticipant(agent);
  // Frames already queued may still carry sound: wait for the first silent one, then every later one is silent.
  for (;;) {
    const list = agentFrames();
    const lastLoud = list.map((p) => p.audioData!.silent).lastIndexOf(false);
    if (list.length - lastLoud > 60) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  await connection.removeParticipant(agent);
  await callbacks.waitFor('RemoveParticipantSucceeded');
  const countAtRemove = agentFrames().length;
  const total = frames().length;
  for (;;) {
    if (frames().length > total + 50) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(agentFrames().length <= countAtRemove + 2, 'no frames for the removed participant after the removal');
});
