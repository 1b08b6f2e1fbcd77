// play, startRecognizing and cancelAllOperations through the official SDK; every event through parseCallAutomationEvent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DtmfTone, type CallMediaRecognizeChoiceOptions, type CallMediaRecognizeDtmfOptions } from '@azure/communication-call-automation';
import { RestError } from '@azure/core-rest-pipeline';
import { connectedCall, startCallbacks, startEmulator } from './sdk-harness.js';

const caller = { phoneNumber: '+15551234567' };

test('play: file and text sources give PlayStarted then PlayCompleted; a missing file PlayFailed with 8535', async (t) => {
  const { client } = await startEmulator(t);
  const callbacks = await startCallbacks(t);
  const call = await connectedCall(client, callbacks);
  const greeting = new URL('../../fixtures/greeting/greeting.wav', import.meta.url).href;
  await call.media.playToAll([{ kind: 'fileSource', url: greeting }, { kind: 'textSource', text: 'Welcome to Contoso.' }], { operationContext: 'greet' });
  assert.equal((await callbacks.waitFor('PlayStarted')).parsed.operationContext, 'greet');
  const completed = await callbacks.waitFor('PlayCompleted');
  assert.equal(completed.parsed.operationContext, 'greet');
  assert.equal(completed.parsed.resultInformation?.code, 200);
  await call.media.play([{ kind: 'fileSource', url: 'file:///no/such/file.wav' }], [caller]);
  const failed = await callbacks.waitFor('PlayFailed');
  assert.equal(failed.parsed.resultInformation?.subCode, 8535);
});

test('a looping play runs until cancelAllOperations, which posts PlayCanceled; a second play is refused while it runs', async (t) => {
  const { client } = await startEmulator(t);
  const callbacks = await startCallbacks(t);
  const call = await connectedCall(client, callbacks);
  await call.media.playToAll([{ kind: 'textSource', text: 'Please hold.' }], { loop: true, operationContext: 'hold-music' });
  await callbacks.waitFor('PlayStarted');
  const refused = await call.media.playToAll([{ kind: 'textSource', text: 'Another.' }]).catch((e: unknown) => e);
  assert.ok(refused instanceof RestError);
  assert.equal(refused.statusCode, 400);
  assert.equal(refused.code, '8500');
  await call.media.cancelAllOperations();
  const canceled = await callbacks.waitFor('PlayCanceled');
  assert.equal(canceled.parsed.operationContext, 'hold-music');
  assert.equal(callbacks.events.filter((e) => e.kind === 'PlayCompleted').length, 0);
  // interruptCallMediaOperation replaces a running play instead of being refused.
  await call.media.playToAll([{ kind: 'textSource', text: 'Loop.' }], { loop: true });
  await callbacks.waitFor('PlayStarted', 1);
  await call.media.playToAll([{ kind: 'textSource', text: 'Urgent.' }], { interruptCallMediaOperation: true, operationContext: 'urgent' });
  await callbacks.waitFor('PlayCanceled', 1);
  assert.equal((await callbacks.waitFor('PlayCompleted')).parsed.operationContext, 'urgent');
});

test('startRecognizing with no scenario: DTMF gets "1" (then the stop tone), choices the first phrase, speech a fixture sentence', async (t) => {
  const { client } = await startEmulator(t);
  const callbacks = await startCallbacks(t);
  const call = await connectedCall(client, callbacks);
  await call.media.startRecognizing(caller, { kind: 'callMediaRecognizeDtmfOptions', maxTonesToCollect: 1, playPrompt: { kind: 'textSource', text: 'Press one for sales.' }, operationContext: 'menu' });
  let done = await callbacks.waitFor('RecognizeCompleted');
  assert.equal(done.parsed.operationContext, 'menu');
  assert.deepEqual((done.raw.data.dtmfResult as { tones: string[] }).tones, ['one']);
  assert.equal(done.parsed.resultInformation?.subCode, 8531);

  await call.media.startRecognizing(caller, { kind: 'callMediaRecognizeDtmfOptions', maxTonesToCollect: 4, stopDtmfTones: [DtmfTone.Pound] });
  done = await callbacks.waitFor('RecognizeCompleted', 1);
  assert.deepEqual((done.raw.data.dtmfResult as { tones: string[] }).tones, ['one']);
  assert.equal(done.parsed.resultInformation?.subCode, 8514);

  await call.media.startRecognizing(caller, {
    kind: 'callMediaRecognizeChoiceOptions',
    choices: [{ label: 'Sales', phrases: ['sales', 'buy'] }, { label: 'Agent', phrases: ['agent'] }],
  });
  done = await callbacks.waitFor('RecognizeCompleted', 2);
  assert.equal(done.raw.data.recognitionType, 'choices');
  assert.deepEqual({ ...(done.raw.data.choiceResult as object), confidence: undefined }, { label: 'Sales', recognizedPhrase: 'sales', confidence: undefined });

  await call.media.startRecognizing(caller, { kind: 'callMediaRecognizeSpeechOptions', endSilenceTimeoutInSeconds: 1 });
  done = await callbacks.waitFor('RecognizeCompleted', 3);
  assert.equal(done.raw.data.recognitionType, 'speech');
  assert.match(String((done.raw.data.speechResult as { speech: string }).speech), /\w+ \w+/);
  assert.deepEqual(callbacks.parseErrors, []);
});

test('scenario replies: digits until max, a choice by phrase and by tone, a timeout, an unmatched phrase, and a cancel', async (t) => {
  const { client } = await startEmulator(t, {
    scenario: {
      participants: [{ rawId: '4:+15551234567', steps: [] }],
      replies: [{ dtmf: '42' }, { dtmf: '4' }, { speech: 'Agent' }, { dtmf: '0' }, { timeout: true }, { speech: 'pizza' }],
    },
  });
  const callbacks = await startCallbacks(t);
  const call = await connectedCall(client, callbacks);
  const dtmf: CallMediaRecognizeDtmfOptions = { kind: 'callMediaRecognizeDtmfOptions', maxTonesToCollect: 2 };
  const choices: CallMediaRecognizeChoiceOptions = { kind: 'callMediaRecognizeChoiceOptions', choices: [{ label: 'Menu', phrases: ['menu'], tone: DtmfTone.One }, { label: 'Agent', phrases: ['agent', 'human'], tone: DtmfTone.Zero }] };
  await call.media.startRecognizing(caller, dtmf);
  assert.deepEqual((await callbacks.waitFor('RecognizeCompleted')).raw.data.dtmfResult, { tones: ['four', 'two'] });
  await call.media.startRecognizing(caller, dtmf);
  assert.equal((await callbacks.waitFor('RecognizeFailed')).parsed.resultInformation?.subCode, 8532, 'one digit of two: inter-digit timeout');
  await call.media.startRecognizing(caller, choices);
  assert.equal(((await callbacks.waitFor('RecognizeCompleted', 1)).raw.data.choiceResult as { label: string }).label, 'Agent', 'said "Agent"');
  await call.media.startRecognizing(caller, choices);
  assert.equal(((await callbacks.waitFor('RecognizeCompleted', 2)).raw.data.choiceResult as { label: string }).label, 'Agent', 'tone 0 picks Agent');
  await call.media.startRecognizing(caller, dtmf);
  assert.equal((await callbacks.waitFor('RecognizeFailed', 1)).parsed.resultInformation?.subCode, 8510);
  await call.media.startRecognizing(caller, choices);
  assert.equal((await callbacks.waitFor('RecognizeFailed', 2)).parsed.resultInformation?.subCode, 8547);
  await call.media.startRecognizing(caller, { ...dtmf, playPrompt: { kind: 'textSource', text: 'A very long prompt that takes its time to be said in full.' }, operationContext: 'slow' });
  await call.media.cancelAllOperations();
  assert.equal((await callbacks.waitFor('RecognizeCanceled')).parsed.operationContext, 'slow');
  assert.deepEqual(callbacks.parseErrors, []);
});

test('recognize errors: no choices is 400 naming the field; a call that ended is 404', async (t) => {
  const { client } = await startEmulator(t);
  const callbacks = await startCallbacks(t);
  const call = await connectedCall(client, callbacks);
  const bad = await call.media.startRecognizing(caller, { kind: 'callMediaRecognizeChoiceOptions', choices: [] }).catch((e: unknown) => e);
  assert.ok(bad instanceof RestError);
  assert.equal(bad.statusCode, 400);
  assert.match(bad.message, /recognizeOptions\.choices/);
  await call.connection.hangUp(true);
  const gone = await call.media.startRecognizing(caller, { kind: 'callMediaRecognizeDtmfOptions', maxTonesToCollect: 1 }).catch((e: unknown) => e);
  assert.ok(gone instanceof RestError);
  assert.equal(gone.statusCode, 404);
});
