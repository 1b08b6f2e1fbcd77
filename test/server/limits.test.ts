// Every ingest limit over a real socket: its close code and reason (or HTTP status), and its metric.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { audio, closedWith, connect, metadata, metricValue, sessionEnd, startServer } from './wire.js';
import { waitUntil } from '../wait-until.js';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');

/** Polls until `check` holds (no fixed sleeps). */
async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail('timed out waiting for the condition');
}

async function metrics(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

test('a message over --max-payload closes the socket with 1009 and counts max_payload', async () => {
  const { server, url, wsUrl } = await startServer({ maxPayloadBytes: 2048 });
  try {
    const ws = await connect(wsUrl);
    ws.send(metadata('sub-big', 16000));
    ws.send('x'.repeat(4096));
    const { code } = await closedWith(ws);
    assert.equal(code, 1009);
    assert.equal(metricValue(await metrics(url), 'acs_audio_limit_closures_total', 'limit="max_payload"'), 1);
  } finally {
    await server.close();
  }
});

test('sockets over --max-connections get HTTP 503 before the upgrade, counted by reason', async () => {
  const { server, url, wsUrl } = await startServer({ limits: { maxConnections: 2 } });
  try {
    const held = [await connect(wsUrl), await connect(wsUrl)];
    const third = new WebSocket(wsUrl);
    const [, response] = (await once(third, 'unexpected-response')) as [unknown, { statusCode: number }];
    assert.equal(response.statusCode, 503);
    third.on('error', () => undefined);
    assert.equal(metricValue(await metrics(url), 'acs_audio_ws_refused_total', 'reason="too_many_connections"'), 1);
    for (const ws of held) ws.close();
  } finally {
    await server.close();
  }
});

test('a socket silent for --idle-timeout is closed with 4000 and a reason', async () => {
  const { server, url, wsUrl } = await startServer({ limits: { idleTimeoutMs: 300, pingIntervalMs: 60_000 } });
  try {
    const ws = await connect(wsUrl);
    ws.send(metadata('sub-idle', 16000));
    const { code, reason } = await closedWith(ws);
    assert.equal(code, 4000);
    assert.match(reason, /no packet for/);
    assert.equal(metricValue(await metrics(url), 'acs_audio_limit_closures_total', 'limit="idle_timeout"'), 1);
  } finally {
    await server.close();
  }
});

test('a peer that stops answering pings is terminated and counted as dead_peer', async () => {
  const { server, url, wsUrl } = await startServer({ limits: { idleTimeoutMs: 60_000, pingIntervalMs: 150 } });
  try {
    const answering = await connect(wsUrl);
    const deaf = await connect(wsUrl, '', { autoPong: false });
    const { code } = await closedWith(deaf);
    assert.equal(code, 1006, 'terminated without a close frame');
    assert.equal(answering.readyState, WebSocket.OPEN, 'a peer that answers pings stays connected');
    assert.ok(metricValue(await metrics(url), 'acs_audio_limit_closures_total', 'limit="dead_peer"') >= 1);
    answering.close();
  } finally {
    await server.close();
  }
});

test('a participant over --max-participants loses only its own frames: counted, the socket and other tracks go on, also after a reconnect', async () => {
  const { server, url, wsUrl } = await startServer({ media: { maxParticipants: 2, reconnectGraceMs: 5000 } });
  try {
    const ended = sessionEnd(server);
    let ws = await connect(wsUrl);
    ws.send(metadata('sub-crowd', 16000));
    for (let i = 0; i < 20; i++) {
      ws.send(audio(T0, i, 16000, '4:+15550000001'));
      ws.send(audio(T0, i, 16000, '4:+15550000002'));
      ws.send(audio(T0, i, 16000, '4:+15550000003'));
    }
    await waitFor(async () => metricValue(await metrics(url), 'acs_audio_rejected_packets_total', 'reason="participant_limit"') === 20);
    assert.equal(ws.readyState, WebSocket.OPEN, 'before the fix the third participant closed the socket with 4003');
    // A reconnect (abnormal close, same subscription) carries on the same way: no close for the extra speaker.
    ws.terminate();
    ws = await connect(wsUrl);
    ws.send(metadata('sub-crowd', 16000));
    for (let i = 20; i < 30; i++) {
      ws.send(audio(T0, i, 16000, '4:+15550000003'));
      ws.send(audio(T0, i, 16000, '4:+15550000001'));
    }
    await waitFor(async () => metricValue(await metrics(url), 'acs_audio_rejected_packets_total', 'reason="participant_limit"') === 30);
    assert.equal(ws.readyState, WebSocket.OPEN);
    ws.close(1000, 'call over');
    const summary = await ended;
    assert.equal(summary.participants.length, 2);
    assert.equal(metricValue(await metrics(url), 'acs_audio_limit_closures_total', 'limit="participants"'), 0);
  } finally {
    await server.close();
  }
});

test('a track flooding past --max-frame-rate closes with 4002 while another call streams on untouched', async () => {
  const { server, url, wsUrl } = await startServer({ media: { maxFrameRate: 50, frameRateWindowS: 1 } });
  try {
    const calm = await connect(wsUrl);
    calm.send(metadata('sub-calm', 16000));
    const flood = await connect(wsUrl);
    flood.send(metadata('sub-flood', 16000));
    for (let i = 0; i < 200; i++) flood.send(audio(T0, i, 16000));
    const { code, reason } = await closedWith(flood);
    assert.equal(code, 4002);
    assert.match(reason, /frame rate limit: track mixed sent more than 50 frames\/s/);
    // The calm call keeps its real-time pace (25 frames in 0.5 s) and is not closed.
    for (let i = 0; i < 25; i++) {
      calm.send(audio(T0, i, 16000));
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(calm.readyState, WebSocket.OPEN);
    const text = await metrics(url);
    assert.equal(metricValue(text, 'acs_audio_limit_closures_total', 'limit="frame_rate"'), 1);
    assert.ok(metricValue(text, 'acs_audio_rejected_packets_total', 'reason="frame_rate_limit"') >= 1);
    const calmSession = server.hub.sessions().find((s) => s.subscriptionId === 'sub-calm');
    assert.equal(calmSession?.summary().counts.rejected, 0);
    calm.close();
  } finally {
    await server.close();
  }
});

test('limit options are validated with a message naming each bad one', async () => {
  await assert.rejects(startServer({ media: { maxParticipants: 0, maxFrameRate: 10 } }), /maxParticipants \(integer ≥ 1\), maxFrameRate \(≥ 50/);
});

test('a socket that continues a session (same subscriptionId) closes the one it replaces with 4004', async (t) => {
  const { server, wsUrl } = await startServer();
  t.after(() => server.close());
  const first = await connect(wsUrl);
  first.send(metadata('sub-supersede', 16000));
  const t0 = Date.now();
  for (let i = 0; i < 5; i++) first.send(audio(t0, i, 16000));
  await waitUntil(() => server.hub.sessions().some((s) => s.subscriptionId === 'sub-supersede' && s.summary().counts.framesReceived === 5), { message: 'the first socket\'s frames' });
  let closed: { code: number; reason: string } | undefined;
  first.on('close', (code, reason) => (closed = { code, reason: reason.toString() }));
  const second = await connect(wsUrl);
  t.after(() => second.close());
  second.send(metadata('sub-supersede', 16000));
  const { code, reason } = await waitUntil(() => closed, { timeoutMs: 5000, message: 'the replaced socket to be closed' });
  assert.equal(code, 4004);
  assert.match(reason, /superseded/);
  for (let i = 5; i < 10; i++) second.send(audio(t0, i, 16000));
  await waitUntil(() => server.hub.sessions().filter((s) => s.subscriptionId === 'sub-supersede').length === 1 && server.hub.sessions().find((s) => s.subscriptionId === 'sub-supersede')!.summary().counts.framesReceived === 10, { message: 'one session with all 10 frames' });
});
