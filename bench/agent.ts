// `npm run bench -- --agent [--calls N]`: N concurrent voice-agent calls, all local and in one process — the ACS
// emulator calls in, the media server bridges each call to the emulator's realtime model through the Agents SDK. It
// prints the turn latency the caller feels (mostly the model's; here the stand-in answers at once) and the bridge's
// own share: model audio delta received → AudioData written, and speech_started received → StopAudio written.
// Every process in one: the figures include the emulator's and the model's load on the same cores.
import { Command, InvalidArgumentError } from 'commander';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createEmulator, createRealtimeModel } from '../src/emulator/index.js';
import { createMediaServer, type MediaSession } from '../src/server/index.js';
import { createCallClient, createStreamingCall } from '../src/calls/index.js';
import { createVoiceAgents, type VoiceAgentCall } from '../src/agent/index.js';
import { AGENT_DEMO_SCENARIO, AGENT_DEMO_SCRIPT } from '../src/cli/demo-agent.js';

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

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
    .option('--json', 'print the figures as JSON')
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
  program.parse(argv, { from: 'user' });
  const { calls, json } = program.opts<{ calls: number; json?: boolean }>();
  const logger = pino({ level: 'silent' });
  const dir = await mkdtemp(join(tmpdir(), 'bench-agent-'));
  const model = createRealtimeModel({ script: AGENT_DEMO_SCRIPT });
  const server = createMediaServer({ host: '127.0.0.1', port: 0, recordingsDir: dir, logger });
  const emulator = createEmulator({ port: 0, scenario: AGENT_DEMO_SCENARIO, logger });
  try {
    const { url: modelUrl } = await model.listen();
    const { url, wsUrl } = await server.listen();
    const { connectionString } = await emulator.listen();
    const client = createCallClient(connectionString);
    const agents = createVoiceAgents({ server, url: `${modelUrl}/v1/realtime?model=gpt-realtime`, apiKey: model.apiKey, callClient: client, logger });
    const ended: Array<Promise<unknown>> = [];
    server.on('session', (session: MediaSession) => {
      if (session.sampleRate !== undefined) ended.push(new Promise((resolve) => session.once('end', resolve)));
    });
    console.error(`bench: ${calls} agent calls, pcm24k, bidirectional, about 15 s each…`);
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
    while (ended.length < calls && performance.now() - started < 30_000) await new Promise((r) => setTimeout(r, 100));
    await Promise.race([Promise.all(ended), new Promise((r) => setTimeout(r, 60_000))]);
    const all: VoiceAgentCall[] = agents.calls();
    const turn = all.flatMap((c) => c.transport.stats.turnLatencyMs.toArray());
    const audioOut = all.flatMap((c) => c.transport.stats.audioOutLatencyMs.toArray());
    const stopAudio = all.flatMap((c) => c.transport.stats.stopAudioLatencyMs.toArray());
    const figures = {
      calls: all.length,
      endedByTool: all.filter((c) => c.leftBy === 'hangup').length,
      bargeIns: all.reduce((n, c) => n + c.transport.stats.bargeIns, 0),
      failures: all.reduce((n, c) => n + c.failures, 0),
      turnLatencyMs: { n: turn.length, p50: percentile(turn, 50), p99: percentile(turn, 99), max: percentile(turn, 100) },
      audioOutMs: { n: audioOut.length, p50: percentile(audioOut, 50), p99: percentile(audioOut, 99), max: percentile(audioOut, 100) },
      stopAudioMs: { n: stopAudio.length, p50: percentile(stopAudio, 50), p99: percentile(stopAudio, 99), max: percentile(stopAudio, 100) },
    };
    await agents.close();
    if (json) {
      console.log(JSON.stringify(figures, null, 2));
    } else {
      const row = (name: string, f: { n: number; p50: number; p99: number; max: number }) =>
        `${name.padEnd(44)} n=${String(f.n).padEnd(6)} p50 ${f.p50.toFixed(2)} ms  p99 ${f.p99.toFixed(2)} ms  max ${f.max.toFixed(2)} ms`;
      console.log(
        [
          `${figures.calls} agent calls: ${figures.endedByTool} ended by end_call, ${figures.bargeIns} barge-ins, ${figures.failures} model failures`,
          row('turn: speech_stopped → first agent frame', figures.turnLatencyMs),
          row('bridge: model audio → AudioData written', figures.audioOutMs),
          row('bridge: speech_started → StopAudio written', figures.stopAudioMs),
        ].join('\n'),
      );
    }
    if (figures.endedByTool < calls) process.exitCode = 1;
  } finally {
    await Promise.allSettled([emulator.close(), server.close(), model.close()]);
    await rm(dir, { recursive: true, force: true });
  }
}
