// The load: the emulator's media engine (src/emulator/engine) streaming N unmixed calls × P participants, as ACS
// would, to one target (the floor or the media server). Also opens idle sockets (AudioMetadata only) for the memory
// figure, and times talk-back on the calls marked `?echo=1`: the server stamps each echoed frame with the monotonic
// time it received the original (latency-histogram.ts), so received − stamp is the talk-back's added latency.
// Started by bench/run.ts; answers over IPC (child-process.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createMediaEngine, type LocalEngineStream, type LocalMediaEngine } from '../src/emulator/engine/index.js';
import type { StreamEvents } from '../src/emulator/media-engine-contract.js';
import { frameBytesFor, serializePacket, type SampleRate } from '../src/protocol/index.js';
import { serveBenchRequests } from './child-process.js';
import { createLatencyHistogram, readStamp, type LatencyHistogram } from './latency-histogram.js';

/** The start of every outbound audio packet the media server sends (protocol/outbound.ts serializeOutbound). */
const OUTBOUND_AUDIO_PREFIX = '{"kind":"audioData","audioData":{"data":"';
/** How long a call may wait for its WebSocket handshake (the engine's default is 10 s). */
const HANDSHAKE_TIMEOUT_MS = 60_000;
/** 12 base64 characters = the first 9 bytes of PCM, which hold the 8-byte stamp. */
const STAMP_BASE64_CHARS = 12;

let idleSockets: WebSocket[] = [];
let engine: LocalMediaEngine | undefined;
let streams: LocalEngineStream[] = [];
let talkBack: LatencyHistogram = createLatencyHistogram();
let echoReceived = 0;
let failures: string[] = [];
/** Where the engine records what the echo calls play back; removed when the calls stop. */
let playbackDir: string | undefined;

/** A participant's raw ID, as ACS spells phone participants. */
function rawIdOf(index: number): string {
  return `4:+1555${String(index).padStart(7, '0')}`;
}

function onAppMessage(_callConnectionId: string, data: Buffer): void {
  const receivedNs = process.hrtime.bigint();
  const from = OUTBOUND_AUDIO_PREFIX.length;
  if (data.length < from + STAMP_BASE64_CHARS || data.toString('latin1', 0, from) !== OUTBOUND_AUDIO_PREFIX) return;
  const stamp = readStamp(Buffer.from(data.toString('latin1', from, from + STAMP_BASE64_CHARS), 'base64'));
  talkBack.record(Number(receivedNs - stamp) / 1e6);
  echoReceived++;
}

/** Opens `calls` sockets that send AudioMetadata and nothing else; resolves once every metadata packet is out. */
async function openIdle(url: string, calls: number, sampleRate: SampleRate): Promise<void> {
  const opening: Array<Promise<void>> = [];
  // Numbered on from the sockets already open: a repeated subscription ID would continue that session instead.
  for (let i = idleSockets.length, end = idleSockets.length + calls; i < end; i++) {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    idleSockets.push(socket);
    opening.push(
      new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.once('open', () => {
          const metadata = serializePacket({
            kind: 'AudioMetadata',
            subscriptionId: `idle-${i}`,
            encoding: 'PCM',
            sampleRate,
            channels: 1,
            length: frameBytesFor(sampleRate),
          });
          socket.send(metadata, (error) => (error ? reject(error) : resolve()));
        });
      }),
    );
  }
  await Promise.all(opening);
}

async function closeIdle(): Promise<void> {
  await Promise.all(
    idleSockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          socket.once('close', () => resolve());
          socket.close(1000);
        }),
    ),
  );
  idleSockets = [];
}

/** Starts calls firstCall … firstCall + calls − 1 (their numbers name them, and the first echoCalls of all the
 *  generators' calls echo); resolves when every stream is connected (rejects when one fails first). */
async function startCalls(args: Record<string, unknown>): Promise<{ connectMs: number }> {
  const url = String(args.url);
  const calls = Number(args.calls);
  const firstCall = Number(args.firstCall ?? 0);
  const participants = Number(args.participants);
  const echoCalls = Number(args.echoCalls);
  const sampleRate = Number(args.sampleRate) as SampleRate;
  const started = performance.now();
  playbackDir = await mkdtemp(join(tmpdir(), 'acs-bench-playback-'));
  // The connect storm (every call at once, while the calls already connected stream) is not what the bench measures,
  // and at 500 calls from two generators the media server has taken up to 10 s to answer the last handshakes: wait
  // longer than the engine's 10 s before calling a call failed. The table's connect time shows what it took.
  engine = createMediaEngine({ onAppMessage, playbackDir, handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS });
  talkBack = createLatencyHistogram();
  echoReceived = 0;
  failures = [];
  streams = [];
  const people = Array.from({ length: participants }, (_, i) => ({ rawId: rawIdOf(i), steps: [] }));
  let connected = 0;
  await new Promise<void>((resolve, reject) => {
    for (let call = firstCall; call < firstCall + calls; call++) {
      const echo = call < echoCalls;
      const events: StreamEvents = {
        connected: () => {
          if (++connected === calls) resolve();
        },
        failed: (detail) => {
          failures.push(detail);
          reject(new Error(`call ${call} failed: ${detail}`));
        },
        interrupted: () => failures.push(`call ${call} interrupted`),
        reestablished: () => undefined,
        hangupRequested: () => undefined,
        ended: () => undefined,
      };
      const stream = engine!.start(
        {
          callConnectionId: `bench-call-${call}`,
          correlationId: `bench-correlation-${call}`,
          subscriptionId: `bench-sub-${call}`,
          transportUrl: echo ? `${url}?echo=1` : url,
          sampleRate,
          channel: 'unmixed',
          bidirectional: echo,
          dtmf: false,
          scenario: { participants: people },
          token: async () => 'bench',
        },
        events,
      );
      streams.push(stream);
    }
  });
  return { connectMs: Math.round(performance.now() - started) };
}

function framesSentSoFar(): number {
  let sent = 0;
  for (const stream of streams) for (const count of Object.values(stream.stats().framesSent)) sent += count;
  return sent;
}

/** Removes the folder of the echo calls' playback WAVs, if there is one. */
async function removePlaybackDir(): Promise<void> {
  if (playbackDir !== undefined) await rm(playbackDir, { recursive: true, force: true });
  playbackDir = undefined;
}

/** Stops every call (close 1000) and reports what was sent and lost (pacing and talk-back come from endWindow). */
async function stopCalls(): Promise<unknown> {
  await Promise.all(streams.map((stream) => stream.stop()));
  let framesLost = 0;
  let outboundViolations = 0;
  for (const stream of streams) {
    const stats = stream.stats();
    framesLost += stats.framesLost;
    outboundViolations += stats.outboundViolations;
  }
  const framesSent = framesSentSoFar();
  await engine!.close();
  engine = undefined;
  await removePlaybackDir();
  return { calls: streams.length, framesSent, framesLost, outboundViolations, failures };
}

serveBenchRequests(
  {
    async idle(args) {
      await openIdle(String(args.url), Number(args.calls), Number(args.sampleRate) as SampleRate);
      return { sockets: idleSockets.length };
    },
    closeIdle,
    start: startCalls,
    snapshot() {
      const cpu = process.cpuUsage();
      return { cpuUs: cpu.user + cpu.system, atMs: performance.now() };
    },
    /** The measuring window starts: pacing and talk-back figures from here on only (start-up left out). */
    beginWindow() {
      engine!.resetStats();
      talkBack.reset();
      echoReceived = 0;
      return {};
    },
    endWindow: () => ({ pacing: engine!.stats().pacing, talkBack: talkBack.stats(), echoReceived }),
    stop: stopCalls,
  },
  async () => {
    for (const socket of idleSockets) socket.terminate();
    await engine?.close();
    await removePlaybackDir();
  },
);
