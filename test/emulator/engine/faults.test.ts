import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { MALFORMED_PACKET, createMediaEngine } from '../../../src/emulator/engine/index.js';
import type { FaultSpec } from '../../../src/emulator/media-engine-contract.js';
import { makeSpec, recordEvents, startRecordingServer, unwrap, type RecordedConnection } from './recording-server.js';
import { waitUntil } from '../../wait-until.js';

const SPEED = 10;

/** Runs a one-second mixed stream with `fault` at 200 ms; returns the server's connection and the stream. */
async function streamWithFault(fault: FaultSpec, durationMs = 1000) {
  const server = await startRecordingServer();
  const engine = createMediaEngine({ speed: SPEED, random: () => 0.99 });
  const events = recordEvents();
  const stream = engine.start(
    makeSpec(server.url, { scenario: { durationMs, participants: [], faults: [{ atMs: 200, fault }] } }),
    events,
  );
  const connection = await server.connection(0);
  await Promise.race([connection.closed, events.when('failed')]);
  await stream.done;
  return { server, engine, events, stream, connection };
}

function audioStamps(connection: RecordedConnection): number[] {
  return connection.messages
    .filter((text) => text !== MALFORMED_PACKET)
    .map(unwrap)
    .filter((packet) => packet.kind === 'AudioData')
    .map((packet) => Date.parse(packet.body.timestamp as string));
}

test('a dropped socket is reconnected with AudioMetadata again and the same subscription, reported around it', async (t) => {
  const server = await startRecordingServer();
  t.after(() => server.close());
  const engine = createMediaEngine({ speed: SPEED });
  t.after(() => engine.close());
  const events = recordEvents();
  const stream = engine.start(
    makeSpec(server.url, {
      scenario: { durationMs: 1000, participants: [], faults: [{ atMs: 200, fault: { type: 'drop', reconnectAfterMs: 300 } }] },
    }),
    events,
  );
  const first = await server.connection(0);
  const second = await server.connection(1);
  await second.closed;
  await stream.done;

  assert.equal(await first.closed, 1006);
  for (const connection of [first, second]) {
    assert.deepEqual(unwrap(connection.messages[0]).body.subscriptionId, 'sub-1');
    assert.equal(unwrap(connection.messages[0]).kind, 'AudioMetadata');
  }
  assert.equal(first.messages.length - 1, 10);
  const resumedAt = Date.parse(unwrap(second.messages[1]).body.timestamp as string);
  const firstAt = Date.parse(unwrap(first.messages[1]).body.timestamp as string);
  assert.ok(resumedAt - firstAt >= 500, 'frames of the gap are lost, the call clock goes on');
  assert.deepEqual(events.names, ['connected', 'interrupted', 'reestablished', 'hangupRequested', 'ended']);
  assert.equal(stream.stats().connections, 2);
  assert.deepEqual(stream.stats().faults, [{ atMs: 200, fault: { type: 'drop', reconnectAfterMs: 300 } }]);
  await engine.close();
  await server.close();
});

test('the app closing the socket is treated as an interruption and the stream reconnects', async (t) => {
  let closedOnce = false;
  const server = await startRecordingServer({
    onMessage(connection) {
      if (!closedOnce && connection.messages.length === 5) {
        closedOnce = true;
        connection.socket.close(1001);
      }
    },
  });
  t.after(() => server.close());
  const engine = createMediaEngine({ speed: SPEED, reconnectAfterMs: 100 });
  t.after(() => engine.close());
  const events = recordEvents();
  const stream = engine.start(makeSpec(server.url), events);
  await events.when('reestablished');
  const second = await server.connection(1);
  await stream.stop();

  assert.equal(unwrap(second.messages[0]).kind, 'AudioMetadata');
  assert.deepEqual(events.names, ['connected', 'interrupted', 'reestablished', 'ended']);
  await engine.close();
  await server.close();
});

test('a refuse fault at the start fails the stream before any connection', async (t) => {
  const server = await startRecordingServer();
  t.after(() => server.close());
  const engine = createMediaEngine({ speed: SPEED });
  t.after(() => engine.close());
  const events = recordEvents();
  const stream = engine.start(
    makeSpec(server.url, { scenario: { participants: [], faults: [{ atMs: 0, fault: { type: 'refuse' } }] } }),
    events,
  );
  await stream.done;

  assert.deepEqual(events.names, ['failed']);
  assert.match(events.failures[0], /refused/);
  assert.equal(server.connections.length, 0);
  await engine.close();
  await server.close();
});

test('a refuse fault on a live stream drops the socket and the refused reconnect fails the stream', async () => {
  const { server, engine, events, connection } = await streamWithFault({ type: 'refuse' });

  assert.equal(await connection.closed, 1006);
  assert.deepEqual(events.names, ['connected', 'interrupted', 'failed']);
  assert.equal(server.connections.length, 1);
  await engine.close();
  await server.close();
});

test('a duplicate fault sends the next frames twice', async () => {
  const { server, engine, connection } = await streamWithFault({ type: 'duplicate', frames: 3 });

  const stamps = audioStamps(connection);
  assert.equal(stamps.length, 53);
  assert.equal(stamps.length - new Set(stamps).size, 3);
  await engine.close();
  await server.close();
});

test('a reorder fault sends the next frames in reverse order', async () => {
  const { server, engine, connection } = await streamWithFault({ type: 'reorder', frames: 4 });

  const stamps = audioStamps(connection);
  assert.equal(stamps.length, 50);
  const backwards = stamps.filter((stamp, index) => index > 0 && stamp < stamps[index - 1]).length;
  assert.equal(backwards, 3);
  await engine.close();
  await server.close();
});

test('a burst fault holds frames back and sends them together', async () => {
  const { server, engine, connection } = await streamWithFault({ type: 'burst', frames: 20 });

  const stamps = audioStamps(connection);
  assert.equal(stamps.length, 50);
  assert.deepEqual(stamps, [...stamps].sort((a, b) => a - b));
  assert.ok(Math.max(...connection.batches) >= 10, `batches: ${connection.batches.join(',')}`);
  await engine.close();
  await server.close();
});

test('a jitter fault delays frames but keeps every frame, in order', async () => {
  const { server, engine, stream, connection } = await streamWithFault({ type: 'jitter', maxMs: 100, durationMs: 400 });

  const stamps = audioStamps(connection);
  assert.equal(stamps.length, 50);
  assert.deepEqual(stamps, [...stamps].sort((a, b) => a - b));
  assert.equal(stream.stats().faults[0].fault.type, 'jitter');
  await engine.close();
  await server.close();
});

test('a malformed fault sends one packet that is not valid JSON', async () => {
  const { server, engine, connection } = await streamWithFault({ type: 'malformed' });

  const broken = connection.messages.filter((text) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  });
  assert.deepEqual(broken, [MALFORMED_PACKET]);
  assert.equal(audioStamps(connection).length, 50);
  await engine.close();
  await server.close();
});

test('a hangup fault asks the control plane to hang up and ends the stream', async () => {
  const { server, engine, events, connection } = await streamWithFault({ type: 'hangup' });

  assert.equal(await connection.closed, 1000);
  assert.equal(audioStamps(connection).length, 10);
  assert.deepEqual(events.names, ['connected', 'hangupRequested', 'ended']);
  await engine.close();
  await server.close();
});

test('a fail fault reports failed and closes the socket with 1011', async () => {
  const { server, engine, events, connection } = await streamWithFault({ type: 'fail' });

  assert.equal(await connection.closed, 1011);
  assert.deepEqual(events.names, ['connected', 'failed']);
  await engine.close();
  await server.close();
});

test('inject() applies a fault to a running stream and records it', async (t) => {
  const server = await startRecordingServer();
  t.after(() => server.close());
  const engine = createMediaEngine({ speed: SPEED });
  t.after(() => engine.close());
  const stream = engine.start(makeSpec(server.url), recordEvents());
  const connection = await server.connection(0);
  await waitUntil(() => connection.messages.length >= 5, { intervalMs: 0, message: 'five packets' });
  stream.inject({ type: 'malformed' });
  await waitUntil(() => connection.messages.includes(MALFORMED_PACKET), { intervalMs: 0, message: 'the malformed packet' });
  await stream.stop();

  assert.equal(stream.stats().faults.length, 1);
  assert.equal(stream.stats().faults[0].fault.type, 'malformed');
  await engine.close();
  await server.close();
});

test('an upgrade refused with 401 reports failed with the HTTP status', async (t) => {
  const server = await startRecordingServer({ verifyClient: (_info, done) => done(false, 401, 'Unauthorized') });
  t.after(() => server.close());
  const engine = createMediaEngine({ speed: SPEED });
  t.after(() => engine.close());
  const events = recordEvents();
  const stream = engine.start(makeSpec(server.url), events);
  await stream.done;

  assert.deepEqual(events.names, ['failed']);
  assert.match(events.failures[0], /HTTP 401/);
  await engine.close();
  await server.close();
});

test('an upgrade answered 404 by a plain HTTP server reports failed with the HTTP status', async (t) => {
  const http = createServer((_request, response) => response.writeHead(404).end('no such path'));
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const { port } = http.address() as { port: number };
  const engine = createMediaEngine({ speed: SPEED });
  t.after(() => engine.close());
  const events = recordEvents();
  const stream = engine.start(makeSpec(`ws://127.0.0.1:${port}/nowhere`), events);
  await stream.done;

  assert.match(events.failures[0], /HTTP 404/);
  await engine.close();
  http.close();
});

test('a refused TCP connection reports failed', async (t) => {
  const http = createServer();
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const { port } = http.address() as { port: number };
  await new Promise((resolve) => http.close(resolve));
  const engine = createMediaEngine({ speed: SPEED });
  t.after(() => engine.close());
  const events = recordEvents();
  const stream = engine.start(makeSpec(`ws://127.0.0.1:${port}/ws`), events);
  await stream.done;

  assert.deepEqual(events.names, ['failed']);
  assert.match(events.failures[0], /ECONNREFUSED/);
  await engine.close();
});
