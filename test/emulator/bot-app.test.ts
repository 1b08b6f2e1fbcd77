// A whole Call Automation bot, written against the official SDK only, run against the emulator: it answers an
// incoming call, records it, plays a welcome, asks for a menu digit (the scripted caller presses 0), brings in a
// scripted human agent with addParticipant, stops the recording, downloads it with the SDK and hangs up. Every
// callback goes through parseCallAutomationEvent, in the order ACS posts them, and the recording holds the caller,
// the agent and the bot's prompts.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CallAutomationClient, type AnswerCallResult, type RecognizeCompleted } from '@azure/communication-call-automation';
import { isSilence, readWav } from '../../src/audio/index.js';
import { waitUntil } from '../wait-until.js';
import { startRecordingServer } from './engine/recording-server.js';
import { routeStorageTo, startCallbacks, startEmulator, startEventGrid } from './sdk-harness.js';

const CALLER = '+15550001111';
const BOT_NUMBER = '+15550002222';
const HUMAN_AGENT = '+15557654321';

/** Samples of channel `c` of an interleaved WAV. */
function channel(samples: Int16Array, channels: number, c: number): Int16Array {
  return Int16Array.from({ length: samples.length / channels }, (_, i) => samples[i * channels + c]);
}

test('a menu bot on the SDK alone: answer, record, play, recognize "0", add a human agent, download the recording, hang up', async (t) => {
  const callbacks = await startCallbacks(t);
  const mediaServer = await startRecordingServer();
  t.after(() => mediaServer.close());
  // The bot: the SDK client, its Event Grid webhook (incoming calls, recording files) and its callback URL.
  const bot: { client?: CallAutomationClient } = {};
  const answered: Array<Promise<AnswerCallResult>> = [];
  const grid = await startEventGrid(t, (event) => {
    if (event.eventType !== 'Microsoft.Communication.IncomingCall') return;
    answered.push(bot.client!.answerCall(String(event.data.incomingCallContext), `${callbacks.url}/cb`, {
      mediaStreamingOptions: { transportType: 'websocket', transportUrl: mediaServer.url, contentType: 'audio', audioChannelType: 'unmixed', startMediaStreaming: true },
    }));
  });
  const { emulator } = await startEmulator(t, {
    eventGridWebhook: grid.url,
    promptSpeech: 'tone', // the same on every machine, espeak-ng installed or not
    scenario: { participants: [], replies: [{ dtmf: '0' }], callees: [{ rawId: `4:${HUMAN_AGENT}`, ringMs: 1000 }] },
  });
  const emulatorUrl = `http://127.0.0.1:${emulator.address()!.port}`;
  const client = new CallAutomationClient(emulator.connectionString, { allowInsecureConnection: true, httpClient: routeStorageTo(emulatorUrl) });
  bot.client = client;

  // A phone call comes in (the emulator's admin API plays the caller).
  const incoming = await fetch(`${emulatorUrl}/admin/incoming-call`, { method: 'POST', body: JSON.stringify({ from: CALLER, to: BOT_NUMBER }) });
  assert.equal(incoming.status, 202);
  await waitUntil(() => answered.length === 1, { message: 'the bot answered the IncomingCall' });
  const { callConnection: connection, callConnectionProperties } = await answered[0];
  const callConnectionId = callConnectionProperties.callConnectionId!;
  const serverCallId = callConnectionProperties.serverCallId!;
  await callbacks.waitFor('CallConnected');
  await callbacks.waitFor('MediaStreamingStarted');

  const recording = client.getCallRecording();
  const started = await recording.start({ callLocator: { id: serverCallId, kind: 'serverCallLocator' }, recordingContent: 'audio', recordingChannel: 'unmixed', recordingFormat: 'wav' });
  await callbacks.waitFor('RecordingStateChanged');

  const media = connection.getCallMedia();
  await media.playToAll([{ kind: 'textSource', text: 'Welcome to Contoso.', voiceName: 'en-US-JennyNeural' }], { operationContext: 'welcome' });
  assert.equal((await callbacks.waitFor('PlayCompleted')).parsed.operationContext, 'welcome');

  await media.startRecognizing({ phoneNumber: CALLER }, {
    kind: 'callMediaRecognizeDtmfOptions', maxTonesToCollect: 1, operationContext: 'menu', initialSilenceTimeoutInSeconds: 5,
    playPrompt: { kind: 'textSource', text: 'Press 1 for sales, or 0 for an agent.' },
  });
  const menu = (await callbacks.waitFor('RecognizeCompleted')).parsed as RecognizeCompleted & { operationContext?: string };
  assert.equal(menu.operationContext, 'menu');
  assert.deepEqual(menu.dtmfResult?.tones, ['zero']);

  // "0": a human agent joins the call (and speaks: the scenario's callee says a bundled fixture).
  await connection.addParticipant({ targetParticipant: { phoneNumber: HUMAN_AGENT }, sourceCallIdNumber: { phoneNumber: BOT_NUMBER } }, { operationContext: 'agent' });
  assert.equal((await callbacks.waitFor('AddParticipantSucceeded')).parsed.operationContext, 'agent');
  const numbers = (await connection.listParticipants()).values?.map((p) => (p.identifier as { phoneNumber?: string }).phoneNumber);
  assert.deepEqual(numbers, [CALLER, HUMAN_AGENT], 'the caller (as the IncomingCall named them) and the agent');
  // Let the agent talk for four seconds of call time before the bot stops recording.
  await waitUntil(() => (emulator.getCall(callConnectionId)?.media?.framesSent[`4:${HUMAN_AGENT}`] ?? 0) >= 200, { message: 'four seconds of the agent' });

  await recording.stop(started.recordingId);
  const file = await waitUntil(() => grid.events.find((e) => e.eventType === 'Microsoft.Communication.RecordingFileStatusUpdated'), { message: 'RecordingFileStatusUpdated' });
  const chunk = (file.data.recordingStorageInfo as { recordingChunks: Array<{ contentLocation: string; metadataLocation: string }> }).recordingChunks[0];
  const dir = await mkdtemp(join(tmpdir(), 'acs-bot-recording-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await recording.downloadToPath(chunk.contentLocation, join(dir, 'call.wav'));
  await recording.downloadToPath(chunk.metadataLocation, join(dir, 'call.json'));
  await connection.hangUp(true);
  await callbacks.waitFor('CallDisconnected');

  // The callbacks, in the order ACS posts them (ParticipantsUpdated left out: it comes whenever the list changes).
  assert.deepEqual(callbacks.parseErrors, []);
  assert.deepEqual(callbacks.events.map((e) => e.kind).filter((k) => k !== 'ParticipantsUpdated'), [
    'CallConnected', 'MediaStreamingStarted', 'RecordingStateChanged', 'PlayStarted', 'PlayCompleted', 'RecognizeCompleted',
    'AddParticipantSucceeded', 'RecordingStateChanged', 'MediaStreamingStopped', 'CallDisconnected',
  ]);
  assert.deepEqual(callbacks.events.filter((e) => e.kind === 'RecordingStateChanged').map((e) => e.raw.data.state), ['active', 'inactive']);

  // The recording: a channel each for the caller and the agent, with their speech, and the bot's, with its prompts.
  const metadata = JSON.parse(await readFile(join(dir, 'call.json'), 'utf8')) as { participants: Array<{ participantId: string; channel: number }> };
  const wav = readWav(await readFile(join(dir, 'call.wav')));
  const channelOf = (id: string) => {
    const found = metadata.participants.find((p) => p.participantId === id);
    assert.ok(found, `a channel for ${id} in ${JSON.stringify(metadata.participants)}`);
    return channel(wav.samples, wav.channels, found.channel);
  };
  assert.equal(wav.channels, metadata.participants.length);
  assert.ok(!isSilence(channelOf(`4:${CALLER}`)), 'the caller speaks in the recording');
  assert.ok(!isSilence(channelOf(`4:${HUMAN_AGENT}`)), 'the human agent speaks in the recording');
  // The bot streams nothing back, so its channel is its prompts: the welcome and the menu (as tones, ~60 ms a character).
  const botChannel = metadata.participants.find((p) => !p.participantId.startsWith('4:'))!;
  const botAudio = channel(wav.samples, wav.channels, botChannel.channel);
  const frame = wav.sampleRate / 50;
  let promptFrames = 0;
  for (let at = 0; at + frame <= botAudio.length; at += frame) if (!isSilence(botAudio.subarray(at, at + frame))) promptFrames++;
  assert.ok(promptFrames * 20 >= 1000 && promptFrames * 20 < wav.durationMs / 2, `the bot's prompts are in the recording: ${promptFrames * 20} ms of ${wav.durationMs} ms`);
});
