// sendDtmfTones, continuous DTMF and call recording through the official SDK; every callback through
// parseCallAutomationEvent, the recording downloaded with the SDK's downloadToPath.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallAutomationClient, DtmfTone } from '@azure/communication-call-automation';
import { readWav, isSilence } from '../../src/audio/index.js';
import { connectedCall, routeStorageTo, startCallbacks, startEmulator, startEventGrid } from './sdk-harness.js';
import { startRecordingServer } from './engine/recording-server.js';

const caller = { phoneNumber: '+15551234567' };

test('sendDtmfTones → SendDtmfTonesCompleted; continuous DTMF posts the scenario\'s digits in order, then Stopped', async (t) => {
  const { client } = await startEmulator(t, { scenario: { participants: [{ rawId: '4:+15551234567', steps: [] }], continuousDtmf: '42' } });
  const callbacks = await startCallbacks(t);
  const call = await connectedCall(client, callbacks);
  const sent = await call.media.sendDtmfTones([DtmfTone.One, DtmfTone.Pound], caller, { operationContext: 'dial' });
  assert.equal(sent.operationContext, 'dial');
  assert.equal((await callbacks.waitFor('SendDtmfTonesCompleted')).parsed.operationContext, 'dial');
  await call.media.startContinuousDtmfRecognition(caller, { operationContext: 'keys' });
  const first = await callbacks.waitFor('ContinuousDtmfRecognitionToneReceived');
  const second = await callbacks.waitFor('ContinuousDtmfRecognitionToneReceived', 1);
  assert.deepEqual([first.raw.data.tone, second.raw.data.tone, second.raw.data.sequenceId], ['four', 'two', 2]);
  await call.media.stopContinuousDtmfRecognition(caller);
  assert.equal((await callbacks.waitFor('ContinuousDtmfRecognitionStopped')).parsed.operationContext, 'keys');
  assert.deepEqual(callbacks.parseErrors, []);
});

test('callRecording start / pause / resume / stop: RecordingStateChanged, RecordingFileStatusUpdated, a WAV with the call\'s audio', async (t) => {
  const grid = await startEventGrid(t);
  const { emulator } = await startEmulator(t, { eventGridWebhook: grid.url });
  const address = emulator.address()!;
  const emulatorUrl = `http://127.0.0.1:${address.port}`;
  const client = new CallAutomationClient(emulator.connectionString, { allowInsecureConnection: true, httpClient: routeStorageTo(emulatorUrl) });
  const callbacks = await startCallbacks(t);
  const media = await startRecordingServer();
  t.after(() => media.close());
  const result = await client.createCall({ targetParticipant: caller, sourceCallIdNumber: { phoneNumber: '+15550000000' } }, `${callbacks.url}/cb`, {
    mediaStreamingOptions: { transportType: 'websocket', transportUrl: media.url, audioChannelType: 'mixed', contentType: 'audio', startMediaStreaming: true },
  });
  await callbacks.waitFor('MediaStreamingStarted');
  const recording = client.getCallRecording();
  const started = await recording.start({ callConnectionId: result.callConnectionProperties.callConnectionId, recordingContent: 'audio', recordingChannel: 'mixed', recordingFormat: 'wav' });
  assert.equal(started.recordingState, 'active');
  assert.equal((await callbacks.waitFor('RecordingStateChanged')).raw.data.state, 'active');
  await recording.pause(started.recordingId);
  assert.equal((await recording.getState(started.recordingId)).recordingState, 'inactive');
  await recording.resume(started.recordingId);
  await callbacks.waitFor('RecordingStateChanged', 2);
  // Record until the caller has spoken (the first fixture sentence starts 0.5 s into the call).
  while ((emulator.getCall(result.callConnectionProperties.callConnectionId!)?.media?.framesSent.mixed ?? 0) < 150) await new Promise((r) => setTimeout(r, 20));
  await recording.stop(started.recordingId);
  for (;;) {
    if (grid.events.some((e) => e.eventType === 'Microsoft.Communication.RecordingFileStatusUpdated')) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const file = grid.events.find((e) => e.eventType === 'Microsoft.Communication.RecordingFileStatusUpdated')!;
  const chunk = (file.data.recordingStorageInfo as { recordingChunks: Array<{ contentLocation: string; metadataLocation: string }> }).recordingChunks[0];
  const dir = await mkdtemp(join(tmpdir(), 'acs-recording-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await recording.downloadToPath(chunk.contentLocation, join(dir, 'call.wav'));
  await recording.downloadToPath(chunk.metadataLocation, join(dir, 'call.json'));
  const wav = readWav(await readFile(join(dir, 'call.wav')));
  assert.equal(wav.sampleRate, 16000);
  assert.ok(wav.durationMs >= 1000, `the recording lasts ${wav.durationMs} ms`);
  assert.ok(!isSilence(wav.samples), 'the recording holds the caller\'s speech');
  const metadata = JSON.parse(await readFile(join(dir, 'call.json'), 'utf8')) as { recordingInfo: { format: string }; pauseResumeIntervals: unknown[] };
  assert.equal(metadata.recordingInfo.format, 'wav');
  assert.equal(metadata.pauseResumeIntervals.length, 1);
  assert.deepEqual(callbacks.parseErrors, []);
});
