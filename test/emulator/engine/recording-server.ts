// Test helpers: a plain `ws` server on 127.0.0.1 port 0 that records every connection and message (no src/server),
// a StreamSpec builder, and StreamEvents that can be awaited.
import { once } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import { WebSocketServer, type ServerOptions, type WebSocket } from 'ws';
import type { StreamEvents, StreamSpec } from '../../../src/emulator/media-engine-contract.js';

/** One connection the server accepted, with everything it received. */
export interface RecordedConnection {
  socket: WebSocket;
  headers: IncomingHttpHeaders;
  /** Text of every message, in arrival order. */
  messages: string[];
  /** Sizes of the groups of messages that arrived together (in one turn of the event loop). */
  batches: number[];
  /** Resolves with the close code once the socket closed. */
  closed: Promise<number>;
}

/** A recording WebSocket server. */
export interface RecordingServer {
  url: string;
  connections: RecordedConnection[];
  /** Resolves with the `index`-th connection (0-based) once it is accepted. */
  connection(index: number): Promise<RecordedConnection>;
  close(): Promise<void>;
}

/** Starts a recording server; `onMessage` may answer (bidirectional tests). */
export async function startRecordingServer(
  options: {
    onMessage?: (connection: RecordedConnection, text: string) => void;
    verifyClient?: ServerOptions['verifyClient'];
  } = {},
): Promise<RecordingServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, verifyClient: options.verifyClient });
  await once(server, 'listening');
  const connections: RecordedConnection[] = [];
  const waiters: Array<() => void> = [];
  server.on('connection', (socket, request) => {
    let batch = 0;
    const connection: RecordedConnection = {
      socket,
      headers: request.headers,
      messages: [],
      batches: [],
      closed: new Promise((resolve) => socket.once('close', (code) => resolve(code))),
    };
    socket.on('message', (data) => {
      const text = data.toString();
      connection.messages.push(text);
      if (batch++ === 0) {
        setImmediate(() => {
          connection.batches.push(batch);
          batch = 0;
        });
      }
      options.onMessage?.(connection, text);
    });
    connections.push(connection);
    for (const wake of waiters.splice(0)) wake();
  });
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    connections,
    async connection(index) {
      while (connections.length <= index) await new Promise<void>((resolve) => waiters.push(resolve));
      return connections[index];
    },
    async close() {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A stream spec for `url` with test defaults (16 kHz mixed, one participant, no DTMF). */
export function makeSpec(url: string, overrides: Partial<StreamSpec> = {}): StreamSpec {
  return {
    callConnectionId: 'call-1',
    correlationId: 'corr-1',
    subscriptionId: 'sub-1',
    transportUrl: url,
    sampleRate: 16000,
    channel: 'mixed',
    bidirectional: false,
    dtmf: false,
    scenario: { participants: [{ rawId: '4:+15551234567', steps: [] }] },
    token: async () => 'test-token',
    ...overrides,
  };
}

/** Stream events recorded by name, each awaitable. */
export interface RecordedEvents extends StreamEvents {
  names: string[];
  failures: string[];
  /** Resolves once `name` has happened `count` times. */
  when(name: 'connected' | 'failed' | 'interrupted' | 'reestablished' | 'hangupRequested' | 'ended', count?: number): Promise<void>;
}

/** Creates recorded events; `also` runs after each event is recorded (e.g. stop on hang-up). */
export function recordEvents(also: Partial<StreamEvents> = {}): RecordedEvents {
  const names: string[] = [];
  const failures: string[] = [];
  const waiters: Array<() => void> = [];
  function note(name: string): void {
    names.push(name);
    for (const wake of waiters.splice(0)) wake();
  }
  return {
    names,
    failures,
    connected: () => (note('connected'), also.connected?.()),
    failed: (detail) => (failures.push(detail), note('failed'), also.failed?.(detail)),
    interrupted: () => (note('interrupted'), also.interrupted?.()),
    reestablished: () => (note('reestablished'), also.reestablished?.()),
    hangupRequested: () => (note('hangupRequested'), also.hangupRequested?.()),
    ended: () => (note('ended'), also.ended?.()),
    async when(name, count = 1) {
      while (names.filter((n) => n === name).length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}

/** The `kind` and body of a wire packet. */
export function unwrap(text: string): { kind: string; body: Record<string, unknown> } {
  const packet = JSON.parse(text) as Record<string, unknown>;
  const kind = packet.kind as string;
  return { kind, body: packet[kind[0].toLowerCase() + kind.slice(1)] as Record<string, unknown> };
}

/** Decodes an AudioData body's PCM. */
export function samplesOf(body: Record<string, unknown>): Int16Array {
  const bytes = Buffer.from(body.data as string, 'base64');
  return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}
