// The media server under test, in its own process: createMediaServer recording to a temporary folder, auth off, no
// repair on start. Two bench-only additions, both outside the frame path of ordinary sessions:
//  - ingest-to-disk latency: a RecorderProbe on each session's recorder (frame queued → its flush's write returned);
//  - talk-back: sessions opened with `?echo=1` play one participant's frames straight back with session.play, each
//    stamped with the monotonic time the server received it (latency-histogram.ts stampFrame).
// Started by bench/run.ts; answers over IPC (child-process.ts).
import { mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { createMediaServer, type MediaServer, type MediaServerOptions } from '../src/server/index.js';
import { tuneGcForStreaming } from '../src/server/gc-tuning.js';
import type { AudioFrame, MediaSession } from '../src/media/index.js';
import type { RecorderProbe } from '../src/media/recorder.js';
import type { Session } from '../src/media/session.js';
import { WAV_HEADER_BYTES } from '../src/audio/index.js';
import { collectGarbage, serveBenchRequests, type TargetSnapshot } from './child-process.js';
import { createLatencyHistogram, stampFrame, type LatencyHistogram } from './latency-histogram.js';

// As `acs-audio serve` runs (src/cli/main.ts): the measured server is the one people run.
tuneGcForStreaming();

const ingestLatency = createLatencyHistogram();
let server: MediaServer | undefined;
let recordingsDir: string | undefined;
let echoFrames = 0;
/** Echo calls play frames back from the start of the measuring window only: a playback queue that began during the
 *  connect storm would carry that storm's lateness into every later frame (it plays at 20 ms, it never catches up). */
let echoing = false;

/** Frame queue times of one recorder, oldest first; each flush records the latency of the frames it carried. */
function createProbe(histogram: LatencyHistogram): RecorderProbe {
  // Empty until the first frame: an idle session must not carry the bench's own 2 KB into the idle-memory figure.
  let times = new Float64Array(0);
  let head = 0;
  let tail = 0;
  let base = 0;
  return {
    queued() {
      if (tail === times.length) {
        // Full: slide the unflushed times to the front, growing only when more than half the room is unflushed.
        if ((tail - head) * 2 >= times.length) {
          const grown = new Float64Array(Math.max(256, times.length * 2));
          grown.set(times.subarray(head, tail));
          times = grown;
        } else {
          times.copyWithin(0, head, tail);
        }
        base += head;
        tail -= head;
        head = 0;
      }
      times[tail++] = performance.now();
    },
    flushing: () => base + tail,
    flushed(token) {
      const now = performance.now();
      const end = token - base;
      for (; head < end; head++) histogram.record(now - times[head]);
    },
  };
}

function onSession(session: MediaSession): void {
  const recording = (session as Session).recording;
  if (recording !== undefined) recording.recorder.probe = createProbe(ingestLatency);
  if (session.query.get('echo') === '1') echoBack(session);
}

/** Plays one participant's frames back as they arrive, stamped with the time the server received them. */
function echoBack(session: MediaSession): void {
  let echoTrack: string | undefined;
  session.on('audio', (frame: AudioFrame) => {
    if (frame.filled) return;
    const receivedNs = process.hrtime.bigint();
    echoTrack ??= frame.trackId;
    if (frame.trackId !== echoTrack || !echoing) return;
    const pcm = new Int16Array(frame.samples);
    stampFrame(pcm, receivedNs);
    session.play({ pcm, sampleRate: frame.sampleRate, live: true });
    echoFrames++;
  });
}

/** Frames in every participant track WAV under `dir` (data bytes / frame bytes; mixdown.wav and talk-back.wav — what the
 *  echo calls played back — are not participants' tracks). */
async function countWrittenFrames(dir: string, frameBytes: number): Promise<{ frames: number; files: number; badFiles: string[] }> {
  let frames = 0;
  let files = 0;
  const badFiles: string[] = [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const header = Buffer.alloc(WAV_HEADER_BYTES);
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.wav') || entry.name === 'mixdown.wav' || entry.name === 'talk-back.wav') continue;
    const path = join(entry.parentPath, entry.name);
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      await handle.read(header, 0, WAV_HEADER_BYTES, 0);
      const dataBytes = header.readUInt32LE(40);
      if (size !== WAV_HEADER_BYTES + dataBytes || dataBytes % frameBytes !== 0) badFiles.push(path);
      frames += Math.floor(dataBytes / frameBytes);
      files++;
    } finally {
      await handle.close();
    }
  }
  return { frames, files, badFiles };
}

function snapshot(args: Record<string, unknown>): TargetSnapshot {
  if (args.gc === true) collectGarbage();
  const cpu = process.cpuUsage();
  const stats = server!.hub.stats();
  return {
    cpuUs: cpu.user + cpu.system,
    rssBytes: process.memoryUsage.rss(),
    frames: stats.framesByKind.AudioData ?? 0,
    connections: stats.sessionsActive,
    atMs: performance.now(),
    loopActiveMs: performance.eventLoopUtilization().active,
  };
}

serveBenchRequests(
  {
    async listen(args) {
      recordingsDir = await mkdtemp(join(tmpdir(), 'acs-bench-recordings-'));
      const options: MediaServerOptions = {
        host: '127.0.0.1',
        port: 0,
        recordingsDir,
        logger: pino({ level: 'warn' }, pino.destination(2)),
        auth: 'off',
        repairOnStart: false,
        limits: { maxConnections: Number(args.maxConnections ?? 2000) },
        ...(typeof args.natsUrl === 'string' ? { nats: { url: args.natsUrl } } : {}),
      };
      server = createMediaServer(options);
      server.on('session', onSession);
      const { wsUrl } = await server.listen();
      return { wsUrl };
    },
    snapshot,
    async drain() {
      while (server!.hub.stats().sessionsActive > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      const stats = server!.hub.stats();
      return {
        frames: stats.framesByKind.AudioData ?? 0,
        rejects: stats.rejectsByReason,
        recordingDropped: stats.recordingDroppedFrames,
        gapsFilled: stats.gapsFilled,
        talkBackFrames: stats.talkBackFrames,
        talkBackSkipped: stats.talkBackSkipped,
        echoFrames,
      };
    },
    async written(args) {
      return countWrittenFrames(recordingsDir!, Number(args.frameBytes));
    },
    latency: () => ({ ingestToDisk: ingestLatency.stats() }),
    /** The measuring window starts: ingest-to-disk from here on, and echo calls start playing back. */
    beginWindow() {
      ingestLatency.reset();
      echoing = true;
      return {};
    },
  },
  async () => {
    await server?.close();
    if (recordingsDir !== undefined) await rm(recordingsDir, { recursive: true, force: true });
  },
);
