// npm run bench: how many calls one core carries, side by side with the bare WebSocket floor.
// Three kinds of process: the target (bench/floor-server.ts, bench/diy-server.ts — the recorder a user would write
// from Microsoft's sample — then bench/server-process.ts), and a fresh load
// generator for each (bench/load-generator.ts, the emulator's media engine). Each target gets the same load:
//   1. idle: one socket per call sends AudioMetadata only, opened in two halves → RSS per idle connection (the second
//      half's, so one-time costs stay out; the average over all is printed too);
//   2. streaming: N calls × P participants, 20 ms frames, for --seconds; the target's own process.cpuUsage() over
//      the middle of the run (1 s warm-up and 1 s tail left out) divided by the frames it received in that window.
// Then frames sent (generator) = received (target) = written (track WAVs) is checked; a difference fails the run.
// See bench/README.md for the figures and what each column means.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { FRAMES_PER_SECOND, frameBytesFor } from '../src/protocol/index.js';
import { spawnBenchChild, type BenchChild, type TargetSnapshot } from './child-process.js';
import { generatorCpuPercent, spawnGenerators } from './generators.js';
import type { LatencyStats } from './latency-histogram.js';
import { FORMATS, formatOption, positiveInt, type BenchFormat } from './options.js';

/** What the bench was asked to do. */
interface BenchOptions {
  calls: number;
  participants: number;
  format: BenchFormat;
  seconds: number;
  echoCalls: number;
  /** Load-generator processes the calls are split between. */
  generators: number;
  only: 'floor' | 'diy' | 'server' | undefined;
  cpuProf: string | undefined;
  json: boolean;
  /** NATS URL for a third run with MediaServerOptions.nats; '' = start a local nats-server. */
  nats: string | undefined;
}

type TargetKind = 'floor' | 'diy' | 'server' | 'server+nats';

/** One target's figures. */
interface TargetResult {
  target: TargetKind;
  /** Calls the generators streamed (each process its share). */
  callsStreamed: number;
  /** Track WAVs the server wrote (one per participant of each call; mixdown.wav not counted). */
  trackFiles: number | undefined;
  framesSent: number;
  framesReceived: number;
  framesWritten: number | undefined;
  generatorDrops: number;
  cpuUsPerFrame: number;
  windowFrames: number;
  windowSeconds: number;
  targetCpuPercent: number;
  /** Share of the window the target's event loop was busy, %: near 100 it has no headroom left. */
  targetLoopBusyPercent: number;
  generatorCpuPercent: number;
  machineCpuPercent: number;
  rssBaseMiB: number;
  /** RSS added by the second half of the idle sockets, per socket: what one more idle connection costs. */
  rssIdleKiBPerConnection: number;
  /** RSS added by all idle sockets, per socket, one-time costs included. */
  rssIdleAverageKiBPerConnection: number;
  rssStreamingKiBPerConnection: number;
  ingestToDisk: LatencyStats | undefined;
  talkBack: LatencyStats | undefined;
  talkBackEchoed: number;
  pacing: { p50Ms: number; p99Ms: number; maxMs: number; count: number };
  connectMs: number;
  notes: string[];
}

/** Frames per second one generator process is given by default: about half of what it sends at one full core on the
 *  bench machine (45,000), so it keeps time instead of sending late. */
const FRAMES_PER_GENERATOR = 25_000;

/** The figures the server must meet (at 500 calls × 2 participants, 16 kHz, on a 2-core machine). */
const TARGETS = { cpuRatio: 1.2, idleKiB: 30, talkBackP99Ms: 2, pacingP99Ms: 3 } as const;

function parseOptions(argv: string[]): BenchOptions {
  const program = new Command()
    .name('npm run bench --')
    .description(
      'Offers the same load (N calls × P participants, 20 ms PCM frames from the emulator media engine) to a bare ws ' +
        'server (the floor), to the recorder a user would write from Microsoft\'s sample (diy: SDK parse, base64, a ' +
        'WriteStream per participant and a mixed file) and to the media server, each in its own process, and prints one table: frames sent / ' +
        'received / written, target CPU µs per frame and the ratio to the floor, RSS per connection, ingest-to-disk ' +
        'and talk-back latency, and the generator pacing jitter. Exits 1 when frames sent, received and written differ.',
    )
    .option('--calls <n>', 'calls (one WebSocket each)', positiveInt, 500)
    .option('--participants <n>', 'participants per call (unmixed: one frame each every 20 ms)', positiveInt, 2)
    .addOption(formatOption())
    .option('--seconds <n>', 'streaming seconds per target (the CPU window leaves out the first and last second)', positiveInt, 10)
    .option('--echo-calls <n>', 'calls whose frames the server plays back, to time talk-back', positiveInt, 5)
    .option('--generators <n>', `load-generator processes to split the calls between; one tops out near one core, and a saturated one sends late (default: one per ${FRAMES_PER_GENERATOR.toLocaleString('en')} frames/s offered, up to the number of cores; pacing and talk-back are upper bounds when n > 1)`, positiveInt)
    .option('--quick', 'a short run that keeps the bench working: 10 calls × 2 × 3 s (under 20 s in all)')
    .addOption(new Option('--only <target>', 'run one target only (for profiling)').choices(['floor', 'diy', 'server']))
    .option('--cpu-prof <dir>', 'write V8 CPU profiles of the target and generator processes into <dir> (node --cpu-prof)')
    .option('--json', 'print the results as JSON on stdout instead of the table')
    .option('--agent', 'run the voice-agent bench instead: N agent calls against the emulator\'s realtime model (--agent --help)')
    .option('--nats [url]', 'also run the media server publishing to NATS JetStream (MediaServerOptions.nats); without a URL a local /usr/sbin/nats-server -js is started')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
  program.parse(argv);
  const o = program.opts<{
    calls: number;
    participants: number;
    format: BenchOptions['format'];
    seconds: number;
    echoCalls: number;
    generators?: number;
    quick?: boolean;
    only?: 'floor' | 'diy' | 'server';
    cpuProf?: string;
    json?: boolean;
    nats?: string | boolean;
  }>();
  const quick = o.quick === true;
  const calls = quick ? 10 : o.calls;
  const participants = quick ? 2 : o.participants;
  const offeredFramesPerSecond = calls * participants * FRAMES_PER_SECOND;
  const generators = o.generators ?? Math.min(availableParallelism(), Math.ceil(offeredFramesPerSecond / FRAMES_PER_GENERATOR));
  return {
    calls,
    participants,
    format: o.format,
    seconds: quick ? 3 : Math.max(3, o.seconds),
    echoCalls: Math.min(quick ? 2 : o.echoCalls, calls),
    generators: Math.max(1, Math.min(generators, calls)),
    only: o.only,
    cpuProf: o.cpuProf,
    json: o.json === true,
    nats: o.nats === undefined || o.nats === false ? undefined : o.nats === true ? '' : o.nats,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Busy and total jiffies of the whole machine (/proc/stat), for "how saturated were the cores". */
function machineTicks(): { busy: number; total: number } {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3] + (fields[4] ?? 0);
    const total = fields.reduce((sum, value) => sum + value, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

async function waitFor(target: BenchChild, test: (snapshot: TargetSnapshot) => boolean, what: string): Promise<TargetSnapshot> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    const snapshot = await target.request<TargetSnapshot>('snapshot');
    if (test(snapshot)) return snapshot;
    if (performance.now() > deadline) throw new Error(`${target.name}: timed out waiting for ${what}`);
    await sleep(50);
  }
}

const KiB = 1024;
const MiB = 1024 * 1024;

const TARGET_SCRIPTS: Record<TargetKind, string> = {
  floor: './floor-server.ts',
  diy: './diy-server.ts',
  server: './server-process.ts',
  'server+nats': './server-process.ts',
};

/** Offers the load to one target and collects its figures. */
async function runTarget(kind: TargetKind, options: BenchOptions, natsUrl?: string): Promise<TargetResult> {
  const sampleRate = FORMATS[options.format];
  const profileFlags = options.cpuProf !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProf}`] : [];
  const target = spawnBenchChild(kind, TARGET_SCRIPTS[kind], profileFlags);
  const generator = spawnGenerators(options.generators, profileFlags);
  if (options.cpuProf !== undefined) {
    console.error(`bench: profiling ${kind} (pid ${target.process.pid}) and its load generator (pid ${generator.pids.join(', ')}) into ${options.cpuProf}`);
  }
  const notes: string[] = [];
  try {
    const { wsUrl } = await target.request<{ wsUrl: string }>('listen', { maxConnections: options.calls + 100, natsUrl });
    const base = await target.request<TargetSnapshot>('snapshot', { gc: true });

    // 1. Idle: metadata only, in two halves. The second half's RSS over its count is the cost of one more idle
    //    connection; the first half also pays the one-time costs (compiled code, V8's young generation growing).
    const half = Math.floor(options.calls / 2);
    await generator.idle(wsUrl, half, sampleRate);
    await waitFor(target, (s) => s.connections >= half, 'the idle sockets');
    await sleep(300);
    const idleHalf = await target.request<TargetSnapshot>('snapshot', { gc: true });
    await generator.idle(wsUrl, options.calls - half, sampleRate);
    await waitFor(target, (s) => s.connections >= options.calls, 'the idle sockets');
    await sleep(300);
    const idle = await target.request<TargetSnapshot>('snapshot', { gc: true });

    await generator.closeIdle();
    await waitFor(target, (s) => s.connections === 0, 'the idle sockets to close');
    const afterIdle = await target.request<TargetSnapshot>('snapshot', { gc: true });

    // 2. Streaming.
    const { connectMs } = await generator.start({
      url: wsUrl,
      calls: options.calls,
      participants: options.participants,
      sampleRate,
      echoCalls: kind === 'floor' || kind === 'diy' ? 0 : options.echoCalls,
    });
    await sleep(1000);
    const windowMs = (options.seconds - 2) * 1000;
    const machine0 = machineTicks();
    await Promise.all([generator.beginWindow(), target.request('beginWindow')]);
    const g0 = await generator.cpu();
    const s0 = await target.request<TargetSnapshot>('snapshot');
    await sleep(windowMs / 2);
    const mid = await target.request<TargetSnapshot>('snapshot');
    await sleep(windowMs / 2);
    const s1 = await target.request<TargetSnapshot>('snapshot');
    const g1 = await generator.cpu();
    const machine1 = machineTicks();
    const inWindow = await generator.endWindow();
    await sleep(1000);
    const sent = await generator.stop();
    const drained = await target.request<{ frames: number; rejects?: Record<string, number>; recordingDropped?: number; gapsFilled?: number; echoFrames?: number; talkBackSkipped?: number }>('drain');
    let written: number | undefined;
    let trackFiles: number | undefined;
    let ingestToDisk: LatencyStats | undefined;
    if (kind !== 'floor') {
      const wav = await target.request<{ frames: number; files: number; badFiles: string[] }>('written', { frameBytes: frameBytesFor(sampleRate) });
      written = wav.frames;
      trackFiles = wav.files;
      if (wav.badFiles.length > 0) notes.push(`${wav.badFiles.length} WAV files whose header and size disagree`);
      ingestToDisk = (await target.request<{ ingestToDisk: LatencyStats }>('latency')).ingestToDisk;
      if (drained.rejects !== undefined && Object.keys(drained.rejects).length > 0) notes.push(`server rejects: ${JSON.stringify(drained.rejects)}`);
      if (drained.recordingDropped) notes.push(`recording drops: ${drained.recordingDropped}`);
      if (drained.gapsFilled) notes.push(`gaps filled: ${drained.gapsFilled}`);
      if (drained.talkBackSkipped) {
        notes.push(`live talk-back frames skipped (ACS already held talkBackLiveLeadMs of audio): ${drained.talkBackSkipped} of ${drained.echoFrames ?? '?'} echoed`);
      }
    }
    if (sent.failures.length > 0) notes.push(`stream failures: ${sent.failures.slice(0, 3).join('; ')}`);
    if (sent.outboundViolations > 0) notes.push(`talk-back pacing violations seen by the emulator: ${sent.outboundViolations}`);

    const windowFrames = s1.frames - s0.frames;
    const windowSeconds = (s1.atMs - s0.atMs) / 1000;
    const machineBusy = machine1.total > machine0.total ? (machine1.busy - machine0.busy) / (machine1.total - machine0.total) : 0;
    return {
      target: kind,
      callsStreamed: sent.calls,
      trackFiles,
      framesSent: sent.framesSent,
      framesReceived: drained.frames,
      framesWritten: written,
      generatorDrops: sent.framesLost,
      cpuUsPerFrame: windowFrames > 0 ? (s1.cpuUs - s0.cpuUs) / windowFrames : NaN,
      windowFrames,
      windowSeconds,
      targetCpuPercent: ((s1.cpuUs - s0.cpuUs) / 1000 / (s1.atMs - s0.atMs)) * 100,
      targetLoopBusyPercent: ((s1.loopActiveMs - s0.loopActiveMs) / (s1.atMs - s0.atMs)) * 100,
      generatorCpuPercent: generatorCpuPercent(g0, g1),
      machineCpuPercent: machineBusy * availableParallelism() * 100,
      rssBaseMiB: base.rssBytes / MiB,
      rssIdleKiBPerConnection: (idle.rssBytes - idleHalf.rssBytes) / KiB / (options.calls - half),
      rssIdleAverageKiBPerConnection: (idle.rssBytes - base.rssBytes) / KiB / options.calls,
      rssStreamingKiBPerConnection: (mid.rssBytes - afterIdle.rssBytes) / KiB / options.calls,
      ingestToDisk,
      talkBack: kind === 'floor' || kind === 'diy' ? undefined : inWindow.talkBack,
      talkBackEchoed: inWindow.echoReceived,
      pacing: inWindow.pacing,
      connectMs,
      notes,
    };
  } finally {
    await generator.exit();
    await target.stop(30_000);
  }
}

function fixed(value: number | undefined, digits = 2): string {
  return value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits);
}

function latency(stats: LatencyStats | undefined, which: 'p50Ms' | 'p99Ms'): string {
  return stats === undefined || stats.count === 0 ? '—' : `${fixed(stats[which])} ms`;
}

/** The table: one column per target, one row per figure, and TARGETS checked on the right. */
function renderTable(options: BenchOptions, results: TargetResult[]): string {
  const floor = results.find((r) => r.target === 'floor');
  const diy = results.find((r) => r.target === 'diy');
  const server = results.find((r) => r.target === 'server');
  const ratio = floor && server ? server.cpuUsPerFrame / floor.cpuUsPerFrame : undefined;
  const check = (ok: boolean | undefined): string => (ok === undefined ? '' : ok ? 'ok' : 'MISSED');
  // Split between processes, the percentiles are the largest of theirs: upper bounds (bench/generators.ts).
  const bound = options.generators > 1 ? ', at most' : '';
  type Row = [string, string, string, string, string];
  /** One figure of each target, '—' where a target did not run. */
  const each = (label: string, cell: (r: TargetResult) => string, target = ''): Row => {
    const of = (r: TargetResult | undefined): string => (r === undefined ? '—' : cell(r));
    return [label, of(floor), of(diy), of(server), target];
  };
  const vsFloor = (r: TargetResult): string => (floor ? fixed(r.cpuUsPerFrame / floor.cpuUsPerFrame) : '—');
  const vsDiy = (r: TargetResult): string => (diy ? fixed(r.cpuUsPerFrame / diy.cpuUsPerFrame) : '—');
  const rows: Row[] = [
    ['offered load', `${options.calls} calls × ${options.participants}`, `${options.format}, ${options.seconds} s`, '', ''],
    each('frames sent', (r) => String(r.framesSent)),
    each('frames received', (r) => String(r.framesReceived), check(results.every(framesMatch))),
    each('frames written (track files)', (r) => (r.framesWritten === undefined ? 'n/a' : String(r.framesWritten))),
    each('frames dropped by the generator', (r) => String(r.generatorDrops)),
    each('target CPU µs / frame', (r) => fixed(r.cpuUsPerFrame)),
    each('ratio to the floor', vsFloor, `${check(ratio === undefined ? undefined : ratio <= TARGETS.cpuRatio)} (≤ ${TARGETS.cpuRatio})`),
    each('ratio to diy', vsDiy, 'below 1: cheaper than by hand'),
    each('target CPU (% of one core)', (r) => fixed(r.targetCpuPercent, 0)),
    each('target event loop busy (%)', (r) => fixed(r.targetLoopBusyPercent, 0), 'near 100: no headroom'),
    each(options.generators > 1 ? `generator CPU, ${options.generators} processes (% of one core)` : 'generator CPU (% of one core)', (r) => fixed(r.generatorCpuPercent, 0)),
    each('machine CPU (% of one core)', (r) => fixed(r.machineCpuPercent, 0), `of ${availableParallelism() * 100}`),
    each('  of which other processes', (r) => fixed(others(r), 0), 'not the bench'),
    each('RSS before load (MiB)', (r) => fixed(r.rssBaseMiB, 1)),
    each('RSS / idle connection (KiB), marginal', (r) => fixed(r.rssIdleKiBPerConnection, 1), `${check(server && server.rssIdleKiBPerConnection <= TARGETS.idleKiB)} (≤ ${TARGETS.idleKiB})`),
    each('RSS / idle connection (KiB), average', (r) => fixed(r.rssIdleAverageKiBPerConnection, 1), 'one-time costs included'),
    each('RSS / streaming connection (KiB)', (r) => fixed(r.rssStreamingKiBPerConnection, 1)),
    each('ingest-to-disk p50', (r) => (r.ingestToDisk === undefined ? 'n/a' : latency(r.ingestToDisk, 'p50Ms'))),
    each('ingest-to-disk p99', (r) => (r.ingestToDisk === undefined ? 'n/a' : latency(r.ingestToDisk, 'p99Ms'))),
    each(`talk-back added latency p99${bound}`, (r) => (r.talkBack === undefined ? 'n/a' : latency(r.talkBack, 'p99Ms')), `${check(server?.talkBack && server.talkBack.count > 0 ? server.talkBack.p99Ms < TARGETS.talkBackP99Ms : undefined)} (< ${TARGETS.talkBackP99Ms} ms, ${server?.talkBackEchoed ?? 0} echoed frames)`),
    each(`generator pacing jitter p50${bound}`, (r) => `${fixed(r.pacing.p50Ms)} ms`),
    each(`generator pacing jitter p99${bound}`, (r) => `${fixed(r.pacing.p99Ms)} ms`, `${check(results.length > 0 ? results.every((r) => r.pacing.p99Ms < TARGETS.pacingP99Ms) : undefined)} (< ${TARGETS.pacingP99Ms} ms)`),
    each('connect time (all calls)', (r) => `${r.connectMs} ms`),
  ];
  const header: Row = ['', 'floor (bare ws)', 'diy (sample + files)', 'media server', 'target'];
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...[header, ...rows].map((row) => row[i].length)));
  const line = (row: string[]): string => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  const out = [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
  const withNats = results.find((r) => r.target === 'server+nats');
  if (withNats !== undefined) {
    const extra = server === undefined ? undefined : withNats.cpuUsPerFrame - server.cpuUsPerFrame;
    out.push(
      '',
      `with NATS JetStream publishing: ${fixed(withNats.cpuUsPerFrame)} µs / frame (${fixed(extra)} µs more than without), ` +
        `frames sent ${withNats.framesSent} / received ${withNats.framesReceived} / written ${withNats.framesWritten ?? '—'}, ` +
        `server CPU ${fixed(withNats.targetCpuPercent, 0)} %, machine ${fixed(withNats.machineCpuPercent, 0)} % (nats-server included).`,
    );
  }
  const notes = results.flatMap((r) => r.notes.map((note) => `${r.target}: ${note}`));
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  out.push('', `machine: ${availableParallelism()} cores (${cpu}), Node ${process.version}; ${options.generators > 1 ? `the ${options.generators} generator processes` : 'generator'} and target share these cores.`);
  for (const r of results) out.push(`${r.target}: CPU window ${fixed(r.windowSeconds, 1)} s, ${r.windowFrames} frames.`);
  if (notes.length > 0) out.push('', ...notes);
  return out.join('\n');
}

/** Machine CPU the bench's two processes do not account for (other work on the machine during the window). */
function others(result: TargetResult): number {
  return Math.max(0, result.machineCpuPercent - result.targetCpuPercent - result.generatorCpuPercent);
}

function framesMatch(result: TargetResult): boolean {
  return result.framesSent === result.framesReceived && (result.framesWritten === undefined || result.framesWritten === result.framesSent);
}

/** A free TCP port on 127.0.0.1 (asked of the OS, then released for the child to take). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Starts `nats-server -js` on a free port with a temporary store; resolves once it accepts connections. */
async function startNats(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const store = mkdtempSync(join(tmpdir(), 'acs-bench-nats-'));
  const child: ChildProcess = spawn('/usr/sbin/nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', store], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(store, { recursive: true, force: true });
  };
  const deadline = performance.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = createConnection(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (up) return { url: `nats://127.0.0.1:${port}`, stop };
    if (performance.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error('nats-server did not start (is /usr/sbin/nats-server installed?)');
    }
    await sleep(100);
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv);
  const log = options.json ? (text: string) => process.stderr.write(`${text}\n`) : (text: string) => console.log(text);
  const results: TargetResult[] = [];
  for (const kind of ['floor', 'diy', 'server'] as const) {
    if (options.only !== undefined && options.only !== kind) continue;
    const from = options.generators > 1 ? `, from ${options.generators} generator processes` : '';
    log(`bench: ${kind}: ${options.calls} calls × ${options.participants} participants, ${options.format}, ${options.seconds} s${from}…`);
    results.push(await runTarget(kind, options));
  }
  let natsFailure: string | undefined;
  if (options.nats !== undefined) {
    const local = options.nats === '' ? await startNats() : undefined;
    try {
      log(`bench: server+nats (${local?.url ?? options.nats})…`);
      results.push(await runTarget('server+nats', options, local?.url ?? options.nats));
    } catch (error) {
      // The run without NATS still stands; say why this one has no figures.
      natsFailure = (error as Error).message.split('\n')[0];
      console.error(`bench: server+nats: the run failed: ${natsFailure}`);
    } finally {
      await local?.stop();
    }
  }
  if (options.json) console.log(JSON.stringify({ options, results }, null, 2));
  else console.log(`\n${renderTable(options, results)}`);
  const mismatched = results.filter((r) => !framesMatch(r));
  for (const r of mismatched) {
    console.error(`bench: ${r.target}: frames sent ${r.framesSent}, received ${r.framesReceived}, written ${r.framesWritten ?? 'n/a'} — they must be equal`);
  }
  process.exitCode = mismatched.length > 0 || natsFailure !== undefined ? 1 : 0;
}

if (process.argv.includes('--agent')) {
  const { runAgentBench } = await import('./agent.js');
  await runAgentBench(process.argv.slice(2).filter((a) => a !== '--agent')).catch((error: unknown) => {
    console.error(`bench --agent: the run failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
} else {
  await runMain();
}

async function runMain(): Promise<void> {
  await main().catch((error: unknown) => {
    // The children are stopped by runTarget's finally; what is left to say is why the run failed.
    console.error(`bench: the run failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
