// "What you would write yourself": the recorder a competent user builds from Microsoft's Node sample for ACS audio
// streaming: a `ws` server, the SDK's StreamingData.parse on every message, the base64 audio decoded with
// Buffer.from, one fs.WriteStream of raw PCM per participant and a mixed file per call (the frames of the call's
// participants summed, one mixed frame written each time a participant sends its next frame). No gap filling, no
// bounded queues, no metrics beyond a counter: the bench shows the media server's cost against this at every load.
// Started by bench/run.ts as a child process; answers over IPC (child-process.ts).
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { StreamingData, type AudioData, type StreamingDataResult } from '@azure/communication-call-automation';
import { getIdentifierRawId } from '@azure/communication-common';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { collectGarbage, serveBenchRequests, type TargetSnapshot } from './child-process.js';

let frames = 0;
let messages = 0;
let nextCall = 0;
let recordingsDir = '';
/** Streams still writing (closed sockets whose files have not finished yet count too). */
const openStreams = new Set<WriteStream>();
const http = createServer();
const wss = new WebSocketServer({ server: http, path: '/ws' });

function track(path: string): WriteStream {
  const stream = createWriteStream(path);
  openStreams.add(stream);
  stream.once('close', () => openStreams.delete(stream));
  return stream;
}

function isAudioData(result: StreamingDataResult): result is AudioData {
  return StreamingData.getStreamingKind() === 'AudioData' && (result as AudioData).data !== undefined;
}

wss.on('connection', (socket: WebSocket) => {
  const dir = join(recordingsDir, `call-${nextCall++}`);
  const participants = new Map<string, WriteStream>();
  let mixStream: WriteStream | undefined;
  let mix: Int16Array | undefined;
  const mixed = new Set<string>();

  const flushMix = (): void => {
    if (mix === undefined || mixed.size === 0) return;
    mixStream ??= track(join(dir, 'mix.pcm'));
    mixStream.write(Buffer.from(mix.buffer.slice(0)));
    mix.fill(0);
    mixed.clear();
  };

  socket.on('message', (data: RawData) => {
    messages++;
    const result = StreamingData.parse(data as unknown as ArrayBuffer);
    if (!isAudioData(result)) return;
    frames++;
    const who = result.participant === undefined ? 'unknown' : getIdentifierRawId(result.participant);
    let file = participants.get(who);
    if (file === undefined) {
      // As the sample's users do: the call's folder made on its first frame (a sync call, once per call).
      if (participants.size === 0) mkdirSync(dir, { recursive: true });
      file = track(join(dir, `${participants.size}.pcm`));
      participants.set(who, file);
    }
    const pcm = Buffer.from(result.data, 'base64');
    file.write(pcm);
    const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length >> 1);
    if (mixed.has(who)) flushMix();
    if (mix === undefined || mix.length !== samples.length) mix = new Int16Array(samples.length);
    for (let i = 0; i < samples.length; i++) mix[i] = Math.max(-32768, Math.min(32767, mix[i] + samples[i]));
    mixed.add(who);
  });

  socket.on('close', () => {
    flushMix();
    mixStream?.end();
    for (const file of participants.values()) file.end();
  });
});

function snapshot(args: Record<string, unknown>): TargetSnapshot {
  if (args.gc === true) collectGarbage();
  const cpu = process.cpuUsage();
  return {
    cpuUs: cpu.user + cpu.system,
    rssBytes: process.memoryUsage.rss(),
    frames,
    connections: wss.clients.size,
    atMs: performance.now(),
    loopActiveMs: performance.eventLoopUtilization().active,
  };
}

/** Frames in the participants' PCM files (size / frame bytes; mix.pcm is not a track). */
async function countWrittenFrames(frameBytes: number): Promise<{ frames: number; files: number; badFiles: string[] }> {
  let written = 0;
  let files = 0;
  const badFiles: string[] = [];
  for (const entry of await readdir(recordingsDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.pcm') || entry.name === 'mix.pcm') continue;
    const path = join(entry.parentPath, entry.name);
    const { size } = await stat(path);
    if (size % frameBytes !== 0) badFiles.push(path);
    written += Math.floor(size / frameBytes);
    files++;
  }
  return { frames: written, files, badFiles };
}

serveBenchRequests(
  {
    async listen() {
      recordingsDir = await mkdtemp(join(tmpdir(), 'acs-bench-diy-'));
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      const { port } = http.address() as AddressInfo;
      return { wsUrl: `ws://127.0.0.1:${port}/ws` };
    },
    snapshot,
    beginWindow: () => ({}),
    async drain() {
      while (wss.clients.size > 0 || openStreams.size > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      return { frames, messages };
    },
    written: (args) => countWrittenFrames(Number(args.frameBytes)),
    /** No probe in a hand-written recorder: no ingest-to-disk figure. */
    latency: () => ({}),
  },
  async () => {
    for (const socket of wss.clients) socket.terminate();
    http.close();
    if (recordingsDir !== '') await rm(recordingsDir, { recursive: true, force: true });
  },
);
