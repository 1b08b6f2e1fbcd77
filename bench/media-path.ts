// npm run bench:media-path — the media server's own cost per frame, without sockets: createMediaServer (recording to a
// temporary folder, live feed on, as `npm run bench` runs it) with N calls × P participants fed straight into
// MediaConnection.receive as the ingest would (one Buffer of ACS wire JSON per frame), paced in real time (one frame
// per participant every 20 ms) so the flush timer, the disk and the GC see what they would see in production.
// The driver's own cost (writing each frame's timestamp) is measured in a pass without the server and subtracted.
// This is the figure to watch while optimising the frame path: `npm run bench` adds the WebSocket, the kernel and a
// load generator on the same cores, and its noise between runs (±15 %) hides gains of a microsecond.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { Command } from 'commander';
import { pino } from 'pino';
import { createMediaServer } from '../src/server/media-server.js';
import { tuneGcForStreaming } from '../src/server/gc-tuning.js';
import type { MediaConnection } from '../src/media/index.js';
import { FRAME_MS } from '../src/audio/index.js';
import { frameBytesFor, serializePacket, type SampleRate } from '../src/protocol/index.js';
import { FORMATS, formatOption, positiveInt, type BenchFormat } from './options.js';

interface Options {
  calls: number;
  participants: number;
  format: BenchFormat;
  seconds: number;
  liveFeed: boolean;
  record: boolean;
  mix: boolean;
}

const WARM_UP_MS = 1000;
const TIMESTAMP_CHARS = '2026-01-01T00:00:00.000Z'.length;

function parseOptions(argv: string[]): Options {
  return new Command()
    .name('npm run bench:media-path --')
    .description(
      "The media server's CPU per frame without sockets: frames go straight into MediaConnection.receive, paced in " +
        'real time; prints µs per frame (process CPU, the driver subtracted) and the GC it caused.',
    )
    .option('--calls <n>', 'calls', positiveInt, 200)
    .option('--participants <n>', 'participants per call', positiveInt, 2)
    .addOption(formatOption())
    .option('--seconds <n>', 'seconds of audio per pass', positiveInt, 8)
    .option('--no-live-feed', 'without the live feed (MediaServerOptions.liveFeed = false)')
    .option('--no-record', 'without recording (recordingsDir = null)')
    .option('--no-mix', 'record the tracks but not mixdown.wav (MediaOptions.recordMix = false)')
    .parse(argv)
    .opts<Options>();
}

/** Noise-like speech-level PCM (a fixed pseudo-random sequence). */
function noisePcm(samples: number, seed: number): Int16Array {
  const pcm = new Int16Array(samples);
  let x = seed * 2654435761;
  for (let i = 0; i < samples; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    pcm[i] = ((x >>> 16) & 0x1fff) - 0x1000;
  }
  return pcm;
}

/** One participant's wire message, with the offset of its timestamp so each tick can rewrite it in place. */
interface FrameMessage {
  bytes: Buffer;
  timestampAt: number;
}

function frameMessage(call: number, participant: number, sampleRate: SampleRate): FrameMessage {
  const placeholder = '#'.repeat(TIMESTAMP_CHARS);
  const text = serializePacket({
    kind: 'AudioData',
    timestamp: placeholder,
    timestampMs: 0,
    participantRawID: `4:+1555${String(call * 16 + participant).padStart(7, '0')}`,
    silent: false,
    samples: noisePcm(frameBytesFor(sampleRate) / 2, call * 16 + participant + 1),
  });
  return { bytes: Buffer.from(text, 'latin1'), timestampAt: text.indexOf(placeholder) };
}

function metadataMessage(call: number, sampleRate: SampleRate): Buffer {
  const text = serializePacket({
    kind: 'AudioMetadata',
    subscriptionId: `bench-media-path-${call}`,
    encoding: 'PCM',
    sampleRate,
    channels: 1,
    length: frameBytesFor(sampleRate),
  });
  return Buffer.from(text, 'latin1');
}

/** Counts GC pauses by kind while observing. */
function watchGc(): { take(): { scavenges: number; markCompacts: number; pauseMs: number }; stop(): void } {
  let scavenges = 0;
  let markCompacts = 0;
  let pauseMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
      else if (kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) markCompacts++;
      pauseMs += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    take() {
      const figures = { scavenges, markCompacts, pauseMs };
      scavenges = markCompacts = 0;
      pauseMs = 0;
      return figures;
    },
    stop: () => observer.disconnect(),
  };
}

interface PassResult {
  frames: number;
  cpuUs: number;
  wallMs: number;
  gc: { scavenges: number; markCompacts: number; pauseMs: number };
  lateTicks: number;
}

/**
 * Feeds `messages` every 20 ms for `seconds` (timestamps advancing 20 ms a tick), into `deliver`. CPU and GC are
 * counted after the warm-up second.
 */
async function pace(
  messages: FrameMessage[][],
  seconds: number,
  deliver: (call: number, message: Buffer) => void,
  gc: ReturnType<typeof watchGc>,
): Promise<PassResult> {
  const ticks = Math.round((seconds * 1000) / FRAME_MS);
  const warmUpTicks = WARM_UP_MS / FRAME_MS;
  const originMs = Date.parse('2026-01-01T00:00:00.000Z');
  const start = performance.now();
  let frames = 0;
  let lateTicks = 0;
  let cpuStart = process.cpuUsage();
  let wallStart = start;
  for (let tick = 0; tick < ticks; tick++) {
    const dueAt = start + tick * FRAME_MS;
    const wait = dueAt - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    else if (wait < -FRAME_MS) lateTicks++;
    if (tick === warmUpTicks) {
      cpuStart = process.cpuUsage();
      wallStart = performance.now();
      gc.take();
      frames = 0;
    }
    const timestamp = new Date(originMs + tick * FRAME_MS).toISOString();
    for (let call = 0; call < messages.length; call++) {
      const participants = messages[call];
      for (let p = 0; p < participants.length; p++) {
        const m = participants[p];
        m.bytes.write(timestamp, m.timestampAt, TIMESTAMP_CHARS, 'latin1');
        deliver(call, m.bytes);
        frames++;
      }
    }
  }
  const cpu = process.cpuUsage(cpuStart);
  return { frames, cpuUs: cpu.user + cpu.system, wallMs: performance.now() - wallStart, gc: gc.take(), lateTicks };
}

async function main(): Promise<void> {
  tuneGcForStreaming(); // as `acs-audio serve` runs
  const options = parseOptions(process.argv);
  const sampleRate = FORMATS[options.format];
  const messages: FrameMessage[][] = [];
  for (let call = 0; call < options.calls; call++) {
    const row: FrameMessage[] = [];
    for (let p = 0; p < options.participants; p++) row.push(frameMessage(call, p, sampleRate));
    messages.push(row);
  }
  const gc = watchGc();
  const load = `${options.calls} calls × ${options.participants}, ${options.format}, ${options.seconds} s`;
  console.log(`media path, in process: ${load}${options.record ? '' : ', no recording'}${options.mix ? '' : ', no mixdown.wav'}${options.liveFeed ? '' : ', no live feed'}`);

  // 1. The driver alone: same loop, frames go nowhere.
  const driver = await pace(messages, Math.min(options.seconds, 4), () => undefined, gc);

  // 2. The media server.
  const recordingsDir = options.record ? await mkdtemp(join(tmpdir(), 'acs-bench-media-path-')) : null;
  const server = createMediaServer({
    recordingsDir,
    logger: pino({ level: 'warn' }, pino.destination(2)),
    repairOnStart: false,
    liveFeed: options.liveFeed,
    media: { recordMix: options.mix },
  });
  const connections: MediaConnection[] = [];
  for (let call = 0; call < options.calls; call++) {
    const connection = server.hub.connect({
      url: '/ws',
      remoteAddress: '127.0.0.1',
      headers: {},
      send: () => true,
      bufferedAmount: () => 0,
      close: (code, reason) => {
        throw new Error(`the server closed call ${call} (${code} ${reason}); the bench drove it wrongly`);
      },
    });
    connection.receive(metadataMessage(call, sampleRate), false);
    connections.push(connection);
  }
  const target = await pace(messages, options.seconds, (call, message) => connections[call].receive(message, false), gc);
  for (const connection of connections) connection.closed(1000, 'bench over');
  await server.close();
  gc.stop();
  const stats = server.hub.stats();
  if (recordingsDir !== null) await rm(recordingsDir, { recursive: true, force: true });

  const perSecond = (n: number, ms: number): string => ((n * 1000) / ms).toFixed(1);
  console.log(`  frames in the window            ${target.frames} (${((target.frames * 1000) / target.wallMs).toFixed(0)}/s)`);
  const driverUs = driver.cpuUs / driver.frames;
  console.log(`  CPU µs / frame, media server    ${(target.cpuUs / target.frames - driverUs).toFixed(2)}   (the driver's ${driverUs.toFixed(2)} subtracted)`);
  console.log(`  CPU, % of one core              ${((target.cpuUs / 1000 / target.wallMs) * 100).toFixed(0)}`);
  console.log(
    `  GC                              ${perSecond(target.gc.scavenges, target.wallMs)} scavenges/s, ` +
      `${perSecond(target.gc.markCompacts, target.wallMs)} mark-compacts/s, ` +
      `${((target.gc.pauseMs / target.wallMs) * 100).toFixed(1)} % of wall time in pauses`,
  );
  console.log(`  ticks late by over a tick       ${target.lateTicks}`);
  const audio = stats.framesByKind.AudioData ?? 0;
  const rejected = Object.values(stats.rejectsByReason).reduce((a, b) => a + b, 0);
  console.log(`  AudioData parsed / rejected     ${audio} / ${rejected}`);
  if (rejected > 0) {
    console.error(`the server rejected frames: ${JSON.stringify(stats.rejectsByReason)}`);
    process.exitCode = 1;
  }
}

await main();
