// Test harness for the media layer: a hub over a temp folder, connections whose send() collects messages, and
import assert from 'node:assert/strict';
// real wire packets from the protocol serializers.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SampleRate } from '../../src/protocol/index.js';
import { createMediaHub, type ConnectionInfo, type MediaConnection, type MediaHub, type MediaHubOptions, type MediaSession, type SessionSummary } from '../../src/media/index.js';
import { readWav } from '../../src/audio/index.js';
import { serializePacket } from '../../src/protocol/index.js';

/** Epoch ms of the first frame in these tests. */
export const T0 = Date.parse('2024-05-02T11:20:42.000Z');

/** A hub writing into a fresh temp folder. */
export async function makeHub(options: MediaHubOptions = {}): Promise<{ hub: MediaHub; dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'media-test-'));
  const hub = createMediaHub({ recordingsDir: dir, ...options });
  return {
    hub,
    dir,
    async cleanup() {
      await hub.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A fake socket: what the media layer sent, and whether it was closed. */
export interface FakeSocket {
  info: ConnectionInfo;
  sent: string[];
  open: boolean;
  conn: MediaConnection;
  /** Send a packet (as text). */
  push(text: string): void;
  /** Resolves when `count` messages have been sent to the peer. */
  waitForSent(count: number): Promise<void>;
}

/** Connect a fake socket to the hub. */
export function connect(hub: MediaHub, url = '/ws?call=test', headers: Record<string, string> = {}): FakeSocket {
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const socket = {
    sent: [] as string[],
    open: true,
  } as FakeSocket;
  socket.info = {
    url,
    remoteAddress: '127.0.0.1',
    headers,
    send(text) {
      if (!socket.open) return false;
      socket.sent.push(text);
      for (const w of waiters.filter((w) => socket.sent.length >= w.count)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      return true;
    },
    bufferedAmount: () => 0,
    close() {
      socket.open = false;
    },
  };
  socket.conn = hub.connect(socket.info);
  socket.push = (text) => socket.conn.receive(Buffer.from(text, 'utf8'), false);
  socket.waitForSent = (count) =>
    socket.sent.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }));
  return socket;
}

/** AudioMetadata as ACS sends it. */
export function metadata(subscriptionId: string, sampleRate: SampleRate = 16000): string {
  return serializePacket({ kind: 'AudioMetadata', subscriptionId, encoding: 'PCM', sampleRate, channels: 1, length: (sampleRate / 50) * 2 });
}

/** A frame whose every sample is `value`. */
export function frameOf(value: number, sampleRate: SampleRate = 16000): Int16Array {
  return new Int16Array(sampleRate / 50).fill(value);
}

/** AudioData at `T0 + offsetMs` with the given samples. */
export function audio(offsetMs: number, samples: Int16Array, participantRawID?: string): string {
  return serializePacket({
    kind: 'AudioData',
    timestamp: new Date(T0 + offsetMs).toISOString(),
    timestampMs: T0 + offsetMs,
    participantRawID,
    silent: false,
    samples,
  });
}

/** The session a hub started for the next metadata packet. */
export function nextSession(hub: MediaHub): Promise<MediaSession> {
  return new Promise((resolve) => hub.on('session', resolve));
}

/** Resolves with the summary when the session ends. */
export function ended(session: MediaSession): Promise<SessionSummary> {
  return new Promise((resolve) => session.on('end', resolve));
}

/** Read a WAV file's samples and rate. */
export async function wav(path: string): Promise<{ sampleRate: number; samples: Int16Array }> {
  const parsed = readWav(await readFile(path));
  return { sampleRate: parsed.sampleRate, samples: parsed.samples };
}

/** Files in a session's recording folder. */
export async function filesOf(summary: SessionSummary): Promise<string[]> {
  return (await readdir(summary.recordingDir as string)).sort();
}

/** Values of the frame at `index` (its first sample), for each 20 ms frame of a WAV. */
export function frameValues(samples: Int16Array, spf: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < samples.length; i += spf) out.push(samples[i]);
  return out;
}

/** A PCM16 WAV file image (for talk-back sources). */
export function wavBuffer(samples: Int16Array, sampleRate: number, channels = 1): Buffer {
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** Decode a message the media layer sent: outbound AudioData samples, or 'StopAudio'. */
export function decodeOutbound(text: string): Int16Array | 'StopAudio' {
  const message = JSON.parse(text) as Record<string, Record<string, string> | string>;
  const kind = String(message.kind ?? message.Kind).toLowerCase();
  if (kind === 'stopaudio') return 'StopAudio';
  assert.equal(kind, 'audiodata');
  const body = (message.audioData ?? message.AudioData) as Record<string, string>;
  const bytes = Buffer.from(body.data ?? body.Data, 'base64');
  return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}
