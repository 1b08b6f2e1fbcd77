// Shared by the server tests: a real server on an ephemeral port, a real ws client, and real wire packets.
import { once } from 'node:events';
import { pino } from 'pino';
import { WebSocket, type ClientOptions } from 'ws';
import { createMediaServer, type MediaServerOptions, type MediaSession, type SessionSummary } from '../../src/server/index.js';
import { serializePacket, formatTimestamp } from '../../src/protocol/index.js';
import { tempDirUntilExit } from '../temp-dir.js';

export const quiet = pino({ level: 'silent' });

/** A media server on 127.0.0.1:0 recording into a fresh temp folder. */
export async function startServer(options: Partial<MediaServerOptions> = {}) {
  const dir = await tempDirUntilExit('server-test-');
  const server = createMediaServer({ port: 0, recordingsDir: dir, logger: quiet, ...options });
  const { url, wsUrl } = await server.listen();
  return { server, url, wsUrl, dir };
}

/** A 440 Hz tone at 16 kHz. */
export function tone(samples: number, amplitude = 8000): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * 440 * i) / 16000));
  return out;
}

export async function connect(wsUrl: string, query = '', options?: ClientOptions): Promise<WebSocket> {
  const ws = new WebSocket(wsUrl + query, options);
  await once(ws, 'open');
  return ws;
}

export function metadata(subscriptionId: string, sampleRate: 16000 | 24000): string {
  return serializePacket({ kind: 'AudioMetadata', subscriptionId, encoding: 'PCM', sampleRate, channels: 1, length: (sampleRate / 50) * 2 });
}

/** The `index`th 20 ms frame after t0. */
export function audio(t0: number, index: number, sampleRate: number, participant?: string): string {
  const ms = t0 + index * 20;
  return serializePacket({
    kind: 'AudioData',
    timestamp: formatTimestamp(ms),
    timestampMs: ms,
    participantRawID: participant,
    silent: false,
    samples: tone(sampleRate / 50),
  });
}

/** Resolves with the summary of the next session to end. */
export function sessionEnd(server: { on(e: 'session', l: (s: MediaSession) => void): unknown }): Promise<SessionSummary> {
  return new Promise((resolve) => server.on('session', (s) => s.once('end', resolve)));
}

/** Resolves with the close code and reason the server sent. */
export async function closedWith(ws: WebSocket): Promise<{ code: number; reason: string }> {
  const [code, reason] = (await once(ws, 'close')) as [number, Buffer];
  return { code, reason: reason.toString('utf8') };
}

/** One Prometheus sample's value (0 when absent). */
export function metricValue(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}
