// Two media server nodes on one NATS JetStream, calls from the emulator's media engine spread over both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMediaEngine } from '../../src/emulator/index.js';
import { encodeWav, readWav } from '../../src/audio/index.js';
import { subscribe, type SubscribedMessage } from '../../src/cluster/index.js';
import type { MediaServer, SessionSummary } from '../../src/server/index.js';
import { skipWithoutNats, startNatsServer } from './nats-harness.js';
import { startCall, startNode, twoPartyScenario } from './nats-cluster-fixtures.js';
import { waitUntil } from '../wait-until.js';

function collectEnds(server: MediaServer, into: SessionSummary[]): void {
  server.on('session', (session) => session.once('end', (summary: SessionSummary) => into.push(summary)));
}

test('every frame of every track reaches a consumer exactly once and in order, from calls spread over two nodes', { skip: skipWithoutNats, timeout: 60_000 }, async () => {
  const nats = await startNatsServer();
  const a = await startNode(nats.url, 'node-a');
  const b = await startNode(nats.url, 'node-b');
  const engine = createMediaEngine({ speed: 10 });
  try {
    const summaries: SessionSummary[] = [];
    collectEnds(a.server, summaries);
    collectEnds(b.server, summaries);
    const consumer = await subscribe({ nats: nats.url, idleMs: 10_000 });
    const calls = [a, b, a, b].map((node, i) => startCall(engine, node.wsUrl, `spread-${i}`, twoPartyScenario(3000)));
    await Promise.all(calls.map((c) => c.events.done));
    await waitUntil(() => summaries.length === 4, { timeoutMs: 10_000, message: 'four sessions to end' });

    const received: SubscribedMessage[] = [];
    let ended = 0;
    for await (const message of consumer) {
      received.push(message);
      if (message.kind === 'event' && message.event.type === 'session.ended' && ++ended === 4) break;
    }
    for (const summary of summaries) {
      const mine = received.filter((m) => m.sessionId === summary.id);
      const events = mine.filter((m) => m.kind === 'event');
      assert.equal(events[0].kind === 'event' && events[0].event.type, 'session.started', 'started comes first');
      assert.equal(events.at(-1)!.kind === 'event' && events.at(-1)!.kind === 'event' && (events.at(-1) as { event: { type: string } }).event.type, 'session.ended');
      assert.equal(mine.filter((m) => m.kind === 'dtmf').length, summary.counts.dtmf);
      assert.equal(summary.participants.length, 2);
      for (const participant of summary.participants) {
        const frames = mine.filter((m) => m.kind === 'frame' && m.trackId === participant.trackId);
        assert.equal(frames.length, participant.frames, `${summary.id} ${participant.trackId}: frames received = frames in the session`);
        assert.deepEqual(frames.map((f) => (f.kind === 'frame' ? f.sequence : -1)), [...Array(participant.frames).keys()], 'sequence 0..n-1, in order, once each');
        // The consumer's samples are the node's recording, byte for byte.
        const wav = readWav(await readFile(join(summary.recordingDir!, participant.file!)));
        const joined = new Int16Array(frames.length * 320);
        frames.forEach((f, i) => f.kind === 'frame' && joined.set(f.samples, i * 320));
        assert.deepEqual(joined, wav.samples.subarray(0, joined.length));
        assert.equal(wav.samples.length, joined.length);
      }
    }
    const nodesSeen = new Set(received.map((m) => m.node));
    assert.deepEqual([...nodesSeen].sort(), ['node-a', 'node-b']);
    const metrics = await (await fetch(`${a.url}/metrics`)).text();
    assert.match(metrics, /acs_audio_nats_messages_total\{kind="audio",outcome="acked"\} [1-9]\d*/);
    assert.match(metrics, /acs_audio_nats_messages_total\{kind="audio",outcome="dropped"\} 0/);
  } finally {
    await engine.close();
    await Promise.all([a.server.close(), b.server.close()]);
    await nats.stop();
  }
});

test('GET /api/sessions on either node lists the cluster; talk-back posted to the node without the socket reaches the call', { skip: skipWithoutNats, timeout: 60_000 }, async () => {
  const nats = await startNatsServer();
  const a = await startNode(nats.url, 'node-a');
  const b = await startNode(nats.url, 'node-b');
  const engine = createMediaEngine({ speed: 1 });
  try {
    const sessionOnA = new Promise<string>((resolve) => a.server.on('session', (s) => resolve(s.id)));
    const call = startCall(engine, a.wsUrl, 'talk', twoPartyScenario(20_000), { bidirectional: true, channel: 'mixed' });
    const id = await sessionOnA;
    await waitUntil(async () => {
      const list = (await (await fetch(`${b.url}/api/sessions`)).json()) as { sessions: Array<{ id: string; node: string; state: string }> };
      return list.sessions.some((s) => s.id === id && s.node === 'node-a' && s.state === 'streaming');
    }, { timeoutMs: 5000, message: "node-a's session in node-b's list" });
    const one = (await (await fetch(`${b.url}/api/sessions/${id}`)).json()) as { id: string; node: string; sampleRate: number };
    assert.equal(one.node, 'node-a');
    assert.equal(one.sampleRate, 16000);

    const clip = new Int16Array(16000 / 2).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 300 * i) / 16000)));
    const played = await fetch(`${b.url}/api/sessions/${id}/play`, { method: 'POST', body: new Uint8Array(encodeWav(clip, 16000)) });
    assert.equal(played.status, 202);
    const body = (await played.json()) as { playId: string; durationMs: number };
    assert.equal(body.durationMs, 500);
    await waitUntil(() => call.stream.stats().outboundFramesReceived === 25, { timeoutMs: 5000, message: 'the emulator to hear 25 talk-back frames' });
    await waitUntil(() => call.stream.stats().outboundHeardMs === 500, { timeoutMs: 5000, message: 'the emulator to play all 500 ms out' });
    const stopped = await fetch(`${b.url}/api/sessions/${id}/stop-audio`, { method: 'POST' });
    assert.equal(stopped.status, 202);
    await waitUntil(() => call.stream.stats().outboundStopAudioReceived === 1, { timeoutMs: 5000, message: 'the emulator to receive StopAudio' });
    assert.equal(call.stream.stats().outboundViolations, 0);

    const missing = await fetch(`${b.url}/api/sessions/no-such-session/play`, { method: 'POST', body: new Uint8Array(encodeWav(clip, 16000)) });
    assert.equal(missing.status, 404);
    const notWav = await fetch(`${b.url}/api/sessions/${id}/play`, { method: 'POST', body: new TextEncoder().encode('not a wav') }); // bytes: a text/plain body is refused (415) by the cross-site guard
    assert.equal(notWav.status, 400, 'the owner answers, and its status comes back');
    await call.stream.stop();
    // The emulator's recording of what was played into the call (complete once its stream stopped).
    const heard = readWav(await readFile(call.stream.stats().playbackWavPath!));
    assert.deepEqual(heard.samples, clip, 'the call heard the clip posted to the other node');
  } finally {
    await engine.close();
    await Promise.all([a.server.close(), b.server.close()]);
    await nats.stop();
  }
});
