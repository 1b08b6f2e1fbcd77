import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { parseCallAutomationEvent } from '@azure/communication-call-automation';
import type { MediaSession } from '../../src/server/index.js';
import { audio, connect, metadata, metricValue, sessionEnd, startServer, tone } from './wire.js';
import { encodeWav, readWav } from '../../src/audio/index.js';
import { waitUntil } from '../wait-until.js';

test('a mixed 16 kHz session lands in one WAV whose sample count matches the frames sent', async (t) => {
  const { server, wsUrl } = await startServer();
  t.after(() => server.close());
  const ended = sessionEnd(server);
  const ws = await connect(wsUrl, '?call=abc');
  ws.send(metadata('sub-mixed', 16000));
  const t0 = Date.parse('2026-11-24T10:00:00.000Z');
  for (let i = 0; i < 50; i++) ws.send(audio(t0, i, 16000));
  ws.close(1000);
  const summary = await ended;
  assert.equal(summary.url, '/ws?call=abc');
  assert.equal(summary.sampleRate, 16000);
  assert.equal(summary.participants.length, 1);
  const wav = readWav(await readFile(join(summary.recordingDir!, summary.participants[0].file!)));
  assert.equal(wav.samples.length, 50 * 320);
  await server.close();
});

test('an unmixed 24 kHz session gets one aligned WAV per participant and a mix', async (t) => {
  const { server, wsUrl } = await startServer();
  t.after(() => server.close());
  const ended = sessionEnd(server);
  const ws = await connect(wsUrl);
  ws.send(metadata('sub-unmixed', 24000));
  const t0 = Date.parse('2026-11-24T10:00:00.000Z');
  for (let i = 0; i < 25; i++) {
    ws.send(audio(t0, i, 24000, '4:+15551230001'));
    if (i >= 10) ws.send(audio(t0, i, 24000, '8:acs:resource_user'));
  }
  ws.close(1000);
  const summary = await ended;
  assert.equal(summary.participants.length, 2);
  const files = await readdir(summary.recordingDir!);
  assert.ok(files.includes('mixdown.wav'), `mixdown.wav among ${files.join(', ')}`);
  for (const p of summary.participants) {
    const wav = readWav(await readFile(join(summary.recordingDir!, p.file!)));
    assert.equal(wav.sampleRate, 24000);
    assert.equal(wav.samples.length, 25 * 480, `${p.participantRawId} is aligned to the session timeline`);
  }
  await server.close();
});

test('malformed packets are counted in /metrics while good frames still land', async (t) => {
  const { server, url, wsUrl } = await startServer();
  t.after(() => server.close());
  const ended = sessionEnd(server);
  const ws = await connect(wsUrl);
  ws.send(metadata('sub-bad', 16000));
  const t0 = Date.now();
  ws.send('{not json');
  ws.send(JSON.stringify({ kind: 'AudioData', audioData: { timestamp: 'yesterday', data: 'AAAA' } }));
  for (let i = 0; i < 10; i++) ws.send(audio(t0, i, 16000));
  ws.close(1000);
  const summary = await ended;
  assert.equal(summary.counts.rejected, 2);
  assert.equal(summary.counts.framesReceived, 10);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  assert.match(metrics, /acs_audio_rejected_packets_total\{reason="invalid_json"\} 1/);
  assert.match(metrics, /acs_audio_rejected_packets_total\{reason="bad_timestamp"\} 1/);
  await server.close();
});

test('a user handler that throws is isolated: recording goes on', async (t) => {
  const { server, wsUrl } = await startServer();
  t.after(() => server.close());
  server.on('session', (s) => {
    s.on('audio', () => {
      throw new Error('user bug');
    });
  });
  const ended = sessionEnd(server);
  const ws = await connect(wsUrl);
  ws.send(metadata('sub-throw', 16000));
  const t0 = Date.now();
  for (let i = 0; i < 20; i++) ws.send(audio(t0, i, 16000));
  ws.close(1000);
  const summary = await ended;
  assert.equal(summary.counts.framesWritten, 20);
  await server.close();
});

test('/healthz answers and unknown upgrade paths get a real 404', async (t) => {
  const { server, url, wsUrl } = await startServer();
  t.after(() => server.close());
  const health = await (await fetch(`${url}/healthz`)).json();
  assert.equal(health.ok, true);
  const ws = new WebSocket(wsUrl.replace('/ws', '/elsewhere'));
  const [, response] = await once(ws, 'unexpected-response');
  assert.equal(response.statusCode, 404);
  await server.close();
});

test('callbacks as ACS posts them are accepted, tracked per call, and parse with the official SDK', async (t) => {
  const { server, url } = await startServer();
  t.after(() => server.close());
  const body = [
    {
      id: 'd13c62c5-721e-44b9-a680-9866c33db7e7',
      source: 'calling/callConnections/4c1f5600-a9c6-4343-8979-b638a98de98f',
      type: 'Microsoft.Communication.MediaStreamingStarted',
      data: {
        operationContext: 'startMediaStreamingContext',
        resultInformation: { code: 200, subCode: 0, message: 'Action completed successfully.' },
        mediaStreamingUpdate: { contentType: 'Audio', mediaStreamingStatus: 'mediaStreamingStarted', mediaStreamingStatusDetails: 'subscriptionStarted' },
        callConnectionId: '4c1f5600-a9c6-4343-8979-b638a98de98f',
        serverCallId: 'aHR0cHM6',
        correlationId: '30f0ad34-d615-4bf3-8476-5630ae7fc3db',
      },
      time: '2024-05-02T11:20:42.9110236+00:00',
      specversion: '1.0',
      datacontenttype: 'application/json',
      subject: 'calling/callConnections/4c1f5600-a9c6-4343-8979-b638a98de98f',
    },
  ];
  const seen: string[] = [];
  server.on('callback', (event) => seen.push(event.type));
  const response = await fetch(`${url}/api/callbacks`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  assert.equal(response.status, 200);
  assert.deepEqual(seen, ['MediaStreamingStarted']);
  const sdk = parseCallAutomationEvent(JSON.stringify(body)) as { kind: string; callConnectionId: string };
  assert.equal(sdk.kind, 'MediaStreamingStarted');
  const calls = server.calls();
  assert.equal(calls[0].mediaStreaming?.status, 'mediaStreamingStarted');
  await server.close();
});

test('Event Grid subscription validation is answered with the code', async (t) => {
  const { server, url } = await startServer();
  t.after(() => server.close());
  const response = await fetch(`${url}/api/incoming-call`, {
    method: 'POST',
    headers: { 'aeg-event-type': 'SubscriptionValidation' },
    body: JSON.stringify([{ eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', data: { validationCode: 'CODE-123' } }]),
  });
  assert.deepEqual(await response.json(), { validationResponse: 'CODE-123' });
  await server.close();
});

test('talk-back over HTTP: no outbound frame runs ahead of its 20 ms schedule, then StopAudio', async (t) => {
  const leadMs = 20;
  const { server, url, wsUrl } = await startServer({ media: { talkBackLeadMs: leadMs } });
  t.after(() => server.close());
  const sessionReady = new Promise<MediaSession>((r) => server.on('session', r));
  const ws = await connect(wsUrl);
  t.after(() => ws.terminate());
  ws.send(metadata('sub-talk', 16000));
  ws.send(audio(Date.now(), 0, 16000));
  const session = await sessionReady;
  const arrivals: number[] = [];
  let stopped = false;
  let framesAfterStop = 0;
  ws.on('message', (data) => {
    const { kind } = JSON.parse(String(data)) as { kind: string };
    if (kind === 'stopAudio') stopped = true;
    else if (kind === 'audioData' && stopped) framesAfterStop++;
    else if (kind === 'audioData') arrivals.push(Date.now());
  });
  const wav = encodeWav(tone(16000 * 3), 16000);
  const postedAt = Date.now();
  const play = await fetch(`${url}/api/sessions/${session.id}/play`, { method: 'POST', body: new Uint8Array(wav) });
  assert.equal(play.status, 202);
  await waitUntil(() => arrivals.length >= 50, { message: () => `50 talk-back frames (${arrivals.length} so far)` });
  // Frame n is due at start + n × 20 ms and may leave leadMs early, and the playback starts no earlier than the POST.
  // The server shares this process's clock and delays only make a frame later, so an earlier arrival is a pacing
  // fault whatever the machine's load.
  const early = arrivals.filter((at, n) => at < postedAt + n * 20 - leadMs).length;
  assert.equal(early, 0, `${early} of ${arrivals.length} frames arrived ahead of their due time`);
  const stop = await fetch(`${url}/api/sessions/${session.id}/stop-audio`, { method: 'POST' });
  assert.equal(stop.status, 202);
  await waitUntil(() => stopped, { message: 'StopAudio on the socket' });
  const bad = await fetch(`${url}/api/sessions/${session.id}/play`, { method: 'POST', body: new TextEncoder().encode('not a wav') });
  assert.equal(bad.status, 400);
  assert.equal(framesAfterStop, 0, 'no audio after StopAudio');
  ws.close(1000);
  await server.close();
});

test('graceful close finishes every WAV of a session still streaming', async (t) => {
  const { server, wsUrl, dir } = await startServer();
  t.after(() => server.close());
  const ws = await connect(wsUrl);
  ws.send(metadata('sub-shutdown', 16000));
  const t0 = Date.now();
  for (let i = 0; i < 30; i++) ws.send(audio(t0, i, 16000));
  await waitUntil(() => server.hub.stats().messages.received === 31, { message: 'the metadata and 30 frames to arrive' });
  const closedByServer = once(ws, 'close');
  await server.close();
  const [code] = await closedByServer;
  assert.equal(code, 1001);
  const days = await readdir(dir);
  const sessions = await readdir(join(dir, days[0]));
  const wav = readWav(await readFile(join(dir, days[0], sessions[0], 'mixed.wav')));
  assert.equal(wav.samples.length, 30 * 320);
});

test('/metrics reports how busy the event loop was since the last scrape: the server\'s headroom', async () => {
  const { server, url } = await startServer();
  try {
    const utilization = async (): Promise<number> =>
      metricValue(await (await fetch(`${url}/metrics`)).text(), 'acs_audio_event_loop_utilization');
    await utilization();
    const blockedUntil = performance.now() + 300;
    while (performance.now() < blockedUntil); // the main thread busy, as a saturated frame path keeps it
    const busy = await utilization();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const idle = await utilization();
    assert.ok(busy >= 0.5 && busy <= 1, `after 300 ms of blocking: ${busy}`);
    assert.ok(idle < 0.5, `after 300 ms idle: ${idle}`);
  } finally {
    await server.close();
  }
});

test('server.once fires once however many sessions start', async (t) => {
  const { createMediaServer: create } = await import('../../src/server/index.js');
  const server = create({ port: 0, recordingsDir: null, logger: (await import('pino')).pino({ level: 'silent' }) });
  t.after(() => server.close());
  let calls = 0;
  server.once('session', () => calls++);
  const emit = (server as unknown as { emit(e: 'session', v: unknown): void }).emit.bind(server);
  emit('session', {});
  emit('session', {});
  assert.equal(calls, 1);
});
