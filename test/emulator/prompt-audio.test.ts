// What a bot plays is what its call recording holds: a file prompt as its own audio (resampled to the call's rate), a
// text prompt as the tone when speech is off (and as espeak-ng speech where that is installed), in the bot's channel
// of an unmixed recording. Through the official SDK only; the recording downloaded with downloadToPath.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { CallAutomationClient, type FileSource, type TextSource } from '@azure/communication-call-automation';
import { isSilence, readWav, resample, toMono } from '../../src/audio/index.js';
import type { EmulatorOptions } from '../../src/emulator/index.js';
import { waitUntil } from '../wait-until.js';
import { startRecordingServer } from './engine/recording-server.js';
import { routeStorageTo, startCallbacks, startEmulator, startEventGrid } from './sdk-harness.js';

const GREETING = resolve('fixtures/greeting/greeting.wav');

function channel(samples: Int16Array, channels: number, c: number): Int16Array {
  const out = new Int16Array(samples.length / channels);
  for (let i = 0; i < out.length; i++) out[i] = samples[i * channels + c];
  return out;
}

/** Plays `source` on an unmixed call while it is recorded; returns the bot's channel of the downloaded recording. */
async function recordedPrompt(t: TestContext, source: FileSource | TextSource, options: EmulatorOptions): Promise<{ bot: Int16Array; sampleRate: number }> {
  const grid = await startEventGrid(t);
  const { emulator } = await startEmulator(t, { eventGridWebhook: grid.url, ...options });
  const emulatorUrl = `http://127.0.0.1:${emulator.address()!.port}`;
  const client = new CallAutomationClient(emulator.connectionString, { allowInsecureConnection: true, httpClient: routeStorageTo(emulatorUrl) });
  const callbacks = await startCallbacks(t);
  const media = await startRecordingServer();
  t.after(() => media.close());
  const created = await client.createCall({ targetParticipant: { phoneNumber: '+15551234567' }, sourceCallIdNumber: { phoneNumber: '+15550000000' } }, `${callbacks.url}/cb`, {
    mediaStreamingOptions: { transportType: 'websocket', transportUrl: media.url, audioChannelType: 'unmixed', contentType: 'audio', startMediaStreaming: true },
  });
  await callbacks.waitFor('MediaStreamingStarted');
  const callConnectionId = created.callConnectionProperties.callConnectionId!;
  const recording = client.getCallRecording();
  const started = await recording.start({ callConnectionId, recordingContent: 'audio', recordingChannel: 'unmixed', recordingFormat: 'wav' });
  await created.callConnection.getCallMedia().playToAll([source]);
  await callbacks.waitFor('PlayCompleted');
  await recording.stop(started.recordingId);
  await waitUntil(() => grid.events.find((e) => e.eventType === 'Microsoft.Communication.RecordingFileStatusUpdated'), { message: 'RecordingFileStatusUpdated' });
  const file = grid.events.find((e) => e.eventType === 'Microsoft.Communication.RecordingFileStatusUpdated')!;
  const chunk = (file.data.recordingStorageInfo as { recordingChunks: Array<{ contentLocation: string; metadataLocation: string }> }).recordingChunks[0];
  const dir = await mkdtemp(join(tmpdir(), 'acs-prompt-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await recording.downloadToPath(chunk.contentLocation, join(dir, 'call.wav'));
  await recording.downloadToPath(chunk.metadataLocation, join(dir, 'call.json'));
  const metadata = JSON.parse(await readFile(join(dir, 'call.json'), 'utf8')) as { participants: Array<{ participantId: string; channel: number }> };
  const wav = readWav(await readFile(join(dir, 'call.wav')));
  const bot = metadata.participants.find((p) => !p.participantId.startsWith('4:'));
  assert.ok(bot, `the bot has a channel: ${JSON.stringify(metadata.participants)}`);
  assert.deepEqual(callbacks.parseErrors, []);
  return { bot: channel(wav.samples, wav.channels, bot.channel), sampleRate: wav.sampleRate };
}

/** The best normalised correlation of `needle` within `hay`, over the lags from where `hay` first sounds (the prompt
 *  starts where the bot's channel does) to a second later. */
function bestCorrelation(hay: Int16Array, needle: Int16Array): number {
  let best = 0;
  const n = Math.min(needle.length, 16000);
  let nn = 0;
  for (let i = 0; i < n; i += 4) nn += needle[i] * needle[i];
  const first = Math.max(0, hay.findIndex((v) => v !== 0) - 800);
  for (let lag = first; lag + n <= hay.length && lag < first + 16000; lag += 1) {
    let hn = 0;
    let hh = 0;
    for (let i = 0; i < n; i += 4) {
      hn += hay[lag + i] * needle[i];
      hh += hay[lag + i] * hay[lag + i];
    }
    if (hh > 0) best = Math.max(best, hn / Math.sqrt(hh * nn));
  }
  return best;
}

test('a file prompt is recorded as its own audio, resampled to the call rate, in the bot\'s channel', async (t) => {
  const { bot, sampleRate } = await recordedPrompt(t, { kind: 'fileSource', url: pathToFileURL(GREETING).href }, { promptSpeech: 'tone' });
  const greeting = readWav(await readFile(GREETING));
  const expected = resample(toMono(greeting.samples, greeting.channels), greeting.sampleRate, sampleRate);
  const correlation = bestCorrelation(bot, expected);
  assert.ok(correlation > 0.95, `the bot channel holds the greeting (correlation ${correlation.toFixed(3)})`);
});

/** Sign changes per second over `seconds` from `from`: a 440 Hz tone has 880. */
function crossingsPerSecond(x: Int16Array, sampleRate: number, from: number, seconds: number): number {
  let crossings = 0;
  const end = Math.min(x.length, from + seconds * sampleRate);
  for (let i = from + 1; i < end; i++) if ((x[i - 1] < 0) !== (x[i] < 0)) crossings++;
  return crossings / ((end - from) / sampleRate);
}

test('a text prompt is the tone with promptSpeech "tone", and speech where espeak-ng is installed', async (t) => {
  const text: TextSource = { kind: 'textSource', text: 'Thank you for calling. Please hold.' };
  const { bot, sampleRate } = await recordedPrompt(t, text, { promptSpeech: 'tone' });
  const start = bot.findIndex((v) => v !== 0);
  assert.ok(start >= 0, 'the prompt is in the recording');
  const rate = crossingsPerSecond(bot, sampleRate, start + sampleRate / 10, 0.5);
  assert.ok(Math.abs(rate - 880) < 20, `the tone: ${rate} sign changes a second`);
  let hasEspeak = true;
  try {
    execFileSync('espeak-ng', ['--version']);
  } catch {
    hasEspeak = false;
  }
  if (!hasEspeak) return t.diagnostic('espeak-ng is not installed here: only the tone was checked');
  const spoken = await recordedPrompt(t, text, { promptSpeech: 'espeak' });
  assert.ok(!isSilence(spoken.bot), 'the spoken prompt is in the recording');
  const tone = bot.subarray(start + sampleRate / 10, start + sampleRate / 10 + 4000);
  const likeTone = bestCorrelation(spoken.bot, tone);
  assert.ok(likeTone < 0.5, `it is speech, not the tone (correlation with the tone ${likeTone.toFixed(2)})`);
});
