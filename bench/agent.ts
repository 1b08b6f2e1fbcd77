// `npm run bench -- --agent [--calls N]`: N concurrent voice-agent calls. The media server and the voice agents run
// in this process; the ACS emulator (the callers) and its realtime model each run in a child process
// (agent-callers.ts), so this process carries the server's load only (`--one-process` puts them all in one). It
// prints the turn latency the caller feels (mostly the model's; here the stand-in answers at once), the bridge's own
// share (model audio delta received → AudioData handed to the session's playback, speech_started received →
// StopAudio written), and what this process went through meanwhile: event-loop delay, GC pauses, CPU and the time it
// waited for one (agent-usage.ts).
import { Command, InvalidArgumentError } from 'commander';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { createEmulator } from '../src/emulator/index.js';
import { createMediaServer, type MediaSession } from '../src/server/index.js';
import { tuneGcForStreaming } from '../src/server/gc-tuning.js';
import { createCallClient, createStreamingCall } from '../src/calls/index.js';
import { createVoiceAgents, type VoiceAgentCall, type VoiceAgents } from '../src/agent/index.js';
import { AGENT_DEMO_SCENARIO, AGENT_DEMO_SCRIPT } from '../src/cli/demo-agent.js';
import { spawnBenchChild } from './child-process.js';
import { ownUsage, share, watchServer, type ProcessShare, type ProcessUsage } from './agent-usage.js';

/** The callers' side: where calls are created and the model listens, and its processes' usage. */
interface Callers {
  connectionString: string;
  modelUrl: string;
  apiKey: string;
  usage(): Promise<Record<string, ProcessUsage>>;
  close(): Promise<void>;
}

interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

function summary(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]);
  return { n: sorted.length, p50: at(50), p99: at(99), max: at(100) };
}

async function callersInChildren(): Promise<Callers> {
  const emulator = spawnBenchChild('agent bench emulator', './agent-callers.ts');
  const model = spawnBenchChild('agent bench model', './agent-callers.ts');
  const [{ connectionString }, { modelUrl, apiKey }] = await Promise.all([
    emulator.request<{ connectionString: string }>('listen', { role: 'emulator' }),
    model.request<{ modelUrl: string; apiKey: string }>('listen', { role: 'model' }),
  ]);
  return {
    connectionString,
    modelUrl,
    apiKey,
    usage: async () => ({ emulator: await emulator.request<ProcessUsage>('usage'), model: await model.request<ProcessUsage>('usage') }),
    close: async () => void (await Promise.all([emulator.stop(), model.stop()])),
  };
}

async function callersInProcess(): Promise<Callers> {
  const emulator = createEmulator({ port: 0, scenario: AGENT_DEMO_SCENARIO, realtime: { port: 0, script: AGENT_DEMO_SCRIPT }, logger: pino({ level: 'silent' }) });
  const { connectionString } = await emulator.listen();
  return { connectionString, modelUrl: emulator.realtime!.url, apiKey: emulator.realtime!.apiKey, usage: async () => ({}), close: () => emulator.close() };
}

/** Follows every agent call's audio_out samples: those over 1 ms, each with the time it ended (to compare with GC). */
function followSlowAudioOut(server: { on(event: 'session', listener: () => void): unknown }, agents: () => VoiceAgents): Array<{ end: number; ms: number }> {
  const slow: Array<{ end: number; ms: number }> = [];
  const watched = new WeakSet<VoiceAgentCall>();
  server.on('session', () =>
    setImmediate(() => {
      for (const call of agents().calls()) {
        if (watched.has(call)) continue;
        watched.add(call);
        const samples = call.transport.stats.audioOutLatencyMs;
        // The transport emits 'audio' right after it pushed the delta's latency.
        call.transport.on('audio', () => {
          const ms = samples.toArray().at(-1) ?? 0;
          if (ms > 1) slow.push({ end: performance.now(), ms });
        });
      }
    }),
  );
  return slow;
}

const pct = (v: number | undefined) => (v === undefined ? 'n/a' : `${v.toFixed(0)} %`);
const shareLine = (name: string, s: ProcessShare) =>
  `  ${name.padEnd(16)} CPU ${pct(s.cpuPercent)} of a core, loop busy ${pct(s.loopBusyPercent)}, waiting for a CPU ${pct(s.waitingForCpuPercent)}` +
  (s.loopDelayP99Ms === undefined ? '' : `, loop delay p99 ${s.loopDelayP99Ms.toFixed(1)} ms, max ${(s.loopDelayMaxMs ?? NaN).toFixed(0)} ms`);

/** Runs the agent bench with its own flags (`argv` without `--agent`). */
export async function runAgentBench(argv: string[]): Promise<void> {
  const program = new Command()
    .name('npm run bench -- --agent')
    .description('N concurrent voice-agent calls against the emulator\'s realtime model; prints turn and bridge latencies.')
    .option('--calls <n>', 'concurrent agent calls', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError('a whole number from 1 to 1000');
      return n;
    }, 20)
    .option('--one-process', 'run the emulator and its realtime model in this process too (their load then lands in the figures)')
    .option('--no-gc-tuning', 'leave V8\'s allocation-site pretenuring on (acs-audio serve turns it off: src/server/gc-tuning.ts)')
    .option('--json', 'print the figures as JSON')
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
  program.parse(argv, { from: 'user' });
  const { calls, json, oneProcess, gcTuning } = program.opts<{ calls: number; json?: boolean; oneProcess?: boolean; gcTuning: boolean }>();
  // As `acs-audio serve` runs (src/cli/main.ts): the measured server is the one people run.
  if (gcTuning) tuneGcForStreaming();
  const log = (text: string) => process.stderr.write(`${text}\n`);
  const logger = pino({ level: 'silent' });
  const dir = await mkdtemp(join(tmpdir(), 'bench-agent-'));
  const server = createMediaServer({ host: '127.0.0.1', port: 0, recordingsDir: dir, logger });
  const callers = oneProcess ? await callersInProcess() : await callersInChildren();
  try {
    const { url, wsUrl } = await server.listen();
    const client = createCallClient(callers.connectionString);
    const agents = createVoiceAgents({ server, url: `${callers.modelUrl}/v1/realtime?model=gpt-realtime`, apiKey: callers.apiKey, callClient: client, logger });
    const slow = followSlowAudioOut(server, () => agents);
    const ended: Array<Promise<unknown>> = [];
    server.on('session', (session: MediaSession) => {
      if (session.sampleRate !== undefined) ended.push(new Promise((resolve) => session.once('end', resolve)));
    });
    log(`bench: ${calls} agent calls, pcm24k, bidirectional, about 15 s each; emulator and realtime model ${oneProcess ? 'in this process' : 'in child processes'}…`);
    const watch = watchServer();
    const own0 = ownUsage();
    const callers0 = await callers.usage();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: calls }, (_, i) =>
        createStreamingCall(client, {
          to: '+15551230001',
          from: '+15550000000',
          callbackUrl: `${url}/api/callbacks`,
          streamUrl: `${wsUrl}?call=bench-${i}`,
          channel: 'mixed',
          format: 'pcm24k',
          bidirectional: true,
          dtmf: true,
          startNow: true,
        }),
      ),
    );
    const ticker = setInterval(() => {
      const states = new Map<string, number>();
      for (const c of agents.calls()) states.set(c.state, (states.get(c.state) ?? 0) + 1);
      log(`bench: ${((performance.now() - started) / 1000).toFixed(0)} s: ${ended.length} sessions; agents ${[...states].map(([k, v]) => `${v} ${k}`).join(', ')}`);
    }, 5000);
    while (ended.length < calls && performance.now() - started < 60_000) await new Promise((r) => setTimeout(r, 100));
    // unref: a timer left after the calls ended kept the process up for the rest of its minute.
    await Promise.race([Promise.all(ended), new Promise((r) => setTimeout(r, 60_000).unref())]);
    clearInterval(ticker);
    const own1 = ownUsage();
    const callers1 = await callers.usage();
    const watched = watch.stop();
    const all = agents.calls();
    const pauses = watched.pauses;
    const figures = {
      calls: all.length,
      layout: oneProcess ? 'one process' : 'server + agents | emulator | model',
      gcTuning,
      endedByTool: all.filter((c) => c.leftBy === 'hangup').length,
      bargeIns: all.reduce((n, c) => n + c.transport.stats.bargeIns, 0),
      failures: all.reduce((n, c) => n + c.failures, 0),
      turnLatencyMs: summary(all.flatMap((c) => c.transport.stats.turnLatencyMs.toArray())),
      audioOutMs: summary(all.flatMap((c) => c.transport.stats.audioOutLatencyMs.toArray())),
      stopAudioMs: summary(all.flatMap((c) => c.transport.stats.stopAudioLatencyMs.toArray())),
      audioOutOver1Ms: { count: slow.length, duringGc: slow.filter((s) => pauses.some((p) => p.start < s.end && p.start + p.ms > s.end - s.ms)).length },
      eventLoopDelayMs: watched.loopDelayMs,
      gc: {
        pauses: pauses.length,
        notScavenges: pauses.filter((p) => p.kind !== 1).length,
        totalMs: pauses.reduce((n, p) => n + p.ms, 0),
        over1Ms: pauses.filter((p) => p.ms > 1).length,
        ...(({ p50, p99, max }) => ({ p50Ms: p50, p99Ms: p99, maxMs: max }))(summary(pauses.map((p) => p.ms))),
      },
      processes: {
        'server + agents': share(own0, own1),
        ...Object.fromEntries(Object.keys(callers1).map((name) => [name, share(callers0[name], callers1[name])])),
      } as Record<string, ProcessShare>,
      machineCpuPercent: watched.machineCpuPercent,
      cores: availableParallelism(),
      loadAverage: watched.loadAverage,
      wallSeconds: (own1.atMs - own0.atMs) / 1000,
    };
    await agents.close();
    if (json) {
      console.log(JSON.stringify(figures, null, 2));
    } else {
      const row = (name: string, f: Summary) => `${name.padEnd(44)} n=${String(f.n).padEnd(6)} p50 ${f.p50.toFixed(2)} ms  p99 ${f.p99.toFixed(2)} ms  max ${f.max.toFixed(2)} ms`;
      const { gc: g, eventLoopDelayMs: l } = figures;
      console.log(
        [
          `${figures.calls} agent calls (${figures.layout}${gcTuning ? '' : ', no GC tuning'}): ${figures.endedByTool} ended by end_call, ${figures.bargeIns} barge-ins, ${figures.failures} model failures, ${figures.wallSeconds.toFixed(1)} s`,
          row('turn: speech_stopped → first agent frame', figures.turnLatencyMs),
          row('bridge: model audio → AudioData written', figures.audioOutMs),
          row('bridge: speech_started → StopAudio written', figures.stopAudioMs),
          `audio_out over 1 ms: ${figures.audioOutOver1Ms.count}, a GC pause inside ${figures.audioOutOver1Ms.duringGc} of them`,
          `server event-loop delay p50 ${l.p50.toFixed(2)} ms  p99 ${l.p99.toFixed(2)} ms  max ${l.max.toFixed(2)} ms`,
          `server GC: ${g.pauses} pauses (${g.notScavenges} not scavenges), ${g.totalMs.toFixed(0)} ms in all, ${g.over1Ms} over 1 ms, p50 ${g.p50Ms.toFixed(2)} ms, p99 ${g.p99Ms.toFixed(2)} ms, max ${g.maxMs.toFixed(2)} ms`,
          ...Object.entries(figures.processes).map(([name, s]) => shareLine(name, s)),
          `  machine CPU ${pct(figures.machineCpuPercent)} of ${figures.cores * 100} %, load average ${figures.loadAverage.map((v) => v.toFixed(1)).join(' → ')}`,
        ].join('\n'),
      );
    }
    if (figures.endedByTool < calls) process.exitCode = 1;
  } finally {
    await Promise.allSettled([callers.close(), server.close()]);
    await rm(dir, { recursive: true, force: true });
  }
}
