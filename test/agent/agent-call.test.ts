// A whole agent call on real parts: the official Agents SDK's RealtimeSession over AcsRealtimeTransportLayer, our
// server, the ACS emulator calling in and the emulator's realtime model. Greeting, a turn, a barge-in whose truncate
// matches what the emulator's caller heard, and end_call hanging up through the Call Automation SDK.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readWav } from '../../src/audio/index.js';
import type { SessionSummary } from '../../src/server/index.js';
import { waitUntil } from '../wait-until.js';
import { startAgentRig } from './harness.js';

for (const eventNames of ['ga', 'beta'] as const) {
  test(`agent call (${eventNames} event names): greeting, a turn, a barge-in truncated at what was heard, end_call hangs up`, async (t) => {
    const rig = await startAgentRig(t, { eventNames });
    const { callConnectionId, session } = await rig.call();
    const ended = new Promise<SessionSummary>((resolve) => session.once('end', resolve));
    const agent = await waitUntil(() => rig.agents.calls().find((c) => c.session === session), { message: 'the agent attached to the call' });

    const summary = await Promise.race([
      ended,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`call did not end: ${JSON.stringify(rig.model.connections()[0])}`)), 30_000).unref()),
    ]);

    // The model saw the greeting, the answer cut by barge-in, and the tool call with its output.
    const record = rig.model.connections()[0];
    assert.ok(record, 'the agent connected to the realtime model');
    assert.equal(record.responses[0].status, 'completed', 'the greeting played to its end');
    // The model generates faster than real time, so the answer is complete on its side long before the caller cuts
    // in: what matters is the truncate.
    assert.ok(record.responses.length >= 3, `greeting, answer, tool call: ${JSON.stringify(record.responses)}`);
    assert.equal(record.truncations.length, 1, `one truncate: ${JSON.stringify(record.truncations)}`);
    assert.equal(record.toolCalls[0]?.name, 'end_call');
    assert.deepEqual(agent.toolCalls.map((c) => c.name), ['end_call']);
    assert.equal(agent.failures, 0, 'the model connection never failed');
    assert.equal(agent.leftBy, 'hangup');
    assert.equal(rig.emulator.getCall(callConnectionId)?.state, 'disconnected');

    // The truncate says what the emulator's caller heard of the answer, not what the model generated (7.1 s).
    const media = rig.emulator.getCall(callConnectionId)?.media;
    assert.ok(media);
    const stop = media.outboundStopAudio[0];
    assert.ok(stop, 'the emulator received StopAudio');
    const greetingMs = Math.ceil(3758 / 20) * 20;
    const heardOfAnswer = stop.heardMs - greetingMs;
    const truncatedAt = record.truncations[0].audioEndMs;
    assert.ok(heardOfAnswer > 500 && heardOfAnswer < 6000, `the caller heard part of the answer (${heardOfAnswer} ms)`);
    assert.ok(Math.abs(truncatedAt - heardOfAnswer) <= 40, `truncate audio_end_ms ${truncatedAt} vs heard ${heardOfAnswer}`);
    assert.equal(agent.transport.stats.truncations[0].audioEndMs, truncatedAt);
    assert.ok(agent.transport.stats.truncations[0].generatedMs > truncatedAt + 500, 'more was generated than heard');

    // Recording: the caller's track and the talk-back track as heard; both sides of the transcript.
    assert.ok(summary.recordingDir);
    const talkBack = summary.participants.find((p) => p.trackId === 'talk-back');
    assert.ok(talkBack?.file, `a talk-back track: ${JSON.stringify(summary.participants)}`);
    const wav = readWav(await readFile(join(summary.recordingDir, talkBack.file)));
    // What the caller heard, no more, no less: the same audio as the emulator's record of what reached the caller
    // (its playback WAV, cut where StopAudio cut it), whatever the timing on a loaded machine.
    assert.ok(media.playbackWavPath, 'the emulator recorded what the caller heard');
    const heardWav = readWav(await readFile(media.playbackWavPath));
    const sounding = (samples: Int16Array) => samples.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
    const frame = wav.sampleRate / 50;
    assert.equal(heardWav.sampleRate, wav.sampleRate);
    assert.ok(
      Math.abs(sounding(wav.samples) - sounding(heardWav.samples)) <= 2 * frame,
      `talk-back.wav sounds for ${sounding(wav.samples) / frame} frames, the caller heard ${sounding(heardWav.samples) / frame}`,
    );
    const transcript = (await readFile(join(summary.recordingDir, 'transcript.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { speaker?: string; text?: string });
    assert.ok(transcript.some((l) => l.speaker === 'agent' && /thanks for calling/i.test(l.text ?? '')), `agent lines: ${JSON.stringify(transcript)}`);
    // The cut answer is in the transcript as far as the caller heard it, not as the model generated it.
    const answer = transcript.find((l) => l.speaker === 'agent' && (l.text ?? '').startsWith('Of course'));
    assert.ok(answer?.text?.endsWith('…') && answer.text.length < 100, `the cut answer as heard: ${JSON.stringify(answer)}`);
  });
}
