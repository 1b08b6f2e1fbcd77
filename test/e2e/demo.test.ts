// The README's first command, checked: the demo call end to end (accelerated), and what it leaves on disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { runDemo } from '../../src/cli/demo-run.js';
import { checkDemoResult } from '../../src/cli/demo.js';
import { checkAgentDemoResult, runAgentDemo } from '../../src/cli/demo-agent.js';
import { DEMO_CALL_MS, DEMO_SCENARIO } from '../../src/cli/demo-scenario.js';
import { readWav, resample, toMono } from '../../src/audio/index.js';
import { tempDirUntilExit } from '../temp-dir.js';

const FRAME_SAMPLES = 320;

test('the recording demo (--recording-only) records every participant, the mix, transcripts, DTMF, and the greeting the emulator heard', async () => {
  const recordingsDir = await tempDirUntilExit('demo-test-');
  const result = await runDemo({ recordingsDir, speed: 5, port: 0, keepOpen: false, progress: () => {}, logger: pino({ level: 'silent' }) });
  try {
    assert.deepEqual(checkDemoResult(result), []);
    const session = { ...result.session, participants: result.session.participants.filter((p) => p.trackId !== 'talk-back') };
    assert.ok(result.session.participants.some((p) => p.trackId === 'talk-back'), 'the greeting is recorded as the talk-back track');
    assert.deepEqual(
      session.participants.map((p) => p.participantRawId).sort(),
      DEMO_SCENARIO.participants.map((p) => p.rawId).sort(),
    );
    const files = await readdir(session.recordingDir!);
    for (const name of ['mixdown.wav', 'session.json', 'events.jsonl']) assert.ok(files.includes(name), `${name} in ${files.join(', ')}`);

    const expectedSamples = (DEMO_CALL_MS / 1000) * 16000;
    const lengths: number[] = [];
    for (const p of session.participants) {
      const wav = readWav(await readFile(join(session.recordingDir!, p.file!)));
      assert.equal(wav.sampleRate, 16000);
      lengths.push(wav.samples.length);
      // The demo stops streaming once 20 s of call time have passed: each track holds those 20 s, within a few frames.
      assert.ok(wav.samples.length >= expectedSamples - FRAME_SAMPLES, `${p.participantRawId}: ${wav.samples.length} samples`);
      assert.ok(wav.samples.length <= expectedSamples + 10 * FRAME_SAMPLES, `${p.participantRawId}: ${wav.samples.length} samples`);
    }
    assert.ok(Math.max(...lengths) - Math.min(...lengths) <= FRAME_SAMPLES, 'tracks are aligned within one frame');
    const mix = readWav(await readFile(join(session.recordingDir!, 'mixdown.wav')));
    assert.ok(Math.abs(mix.samples.length - lengths[0]) <= FRAME_SAMPLES);

    assert.ok(result.transcriptLines > 0, 'final transcript lines arrived');
    assert.deepEqual(result.dtmf, ['5']);
    assert.ok(result.greeting.bargeInAtMs !== undefined && result.greeting.status === 'cancelled', 'the caller barged in on the greeting');

    // What the emulator recorded as heard is the start of the greeting, converted to the call's 16 kHz; the barge-in's
    // StopAudio dropped the rest of what had been sent.
    assert.ok(result.playback.wavPath);
    const heard = readWav(await readFile(result.playback.wavPath!));
    assert.equal(result.playback.stopAudioReceived, 1);
    assert.equal(heard.samples.length, Math.round(result.playback.heardMs * 16));
    assert.ok(Math.abs(result.playback.heardMs + result.playback.droppedMs - result.greeting.framesSent * 20) < 1e-6, 'heard + dropped = sent');
    const greeting = readWav(await readFile(fileURLToPath(new URL('../../fixtures/greeting/greeting.wav', import.meta.url))));
    const expected = resample(toMono(greeting.samples, greeting.channels), greeting.sampleRate, 16000).subarray(0, heard.samples.length);
    let maxDifference = 0;
    for (let i = 0; i < expected.length; i++) maxDifference = Math.max(maxDifference, Math.abs(expected[i] - heard.samples[i]));
    assert.ok(maxDifference <= 1, `talk-back audio matches the greeting (max sample difference ${maxDifference})`);
  } finally {
    await result.close();
  }
});

test('the agent demo (npm start): greeting, a turn, one barge-in truncated at what was heard, end_call, both sides recorded', async () => {
  const recordingsDir = await tempDirUntilExit('agent-demo-test-');
  const result = await runAgentDemo({ recordingsDir, port: 0, keepOpen: false, progress: () => {}, logger: pino({ level: 'silent' }) });
  try {
    assert.deepEqual(checkAgentDemoResult(result), []);
    assert.equal(result.truncations.length, 1);
    const cut = result.truncations[0];
    assert.ok(cut.audioEndMs > 500 && cut.audioEndMs < cut.generatedMs - 500, `heard ${cut.audioEndMs} of ${cut.generatedMs} ms`);
    assert.deepEqual(result.toolCalls.map((c) => c.name), ['end_call']);
    const files = await readdir(result.session.recordingDir!);
    for (const name of ['talk-back.wav', 'mixed.wav', 'mixdown.wav', 'transcript.jsonl']) assert.ok(files.includes(name), `${name} in ${files.join(', ')}`);
    assert.ok(result.transcript.some((l) => l.speaker === 'agent'), 'the agent in the transcript');
    // The scripted caller speaks bundled fixtures, which the local model knows: their text, not their length.
    assert.deepEqual(result.transcript.filter((l) => l.speaker === 'caller').map((l) => l.text),
      ["Hi, I'm calling about my order from last week.", 'Hello, I would like to change my delivery address.']);
  } finally {
    await result.close();
  }
});
