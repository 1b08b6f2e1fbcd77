// Real parts on loopback for the agent tests: the emulator's realtime model, the ACS emulator (a bidirectional
// pcm24KMono call whose caller follows a scenario), our media server, and voice agents attached to its sessions.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { pino } from 'pino';
import { createVoiceAgents, createAgentMetrics, type VoiceAgentCall, type VoiceAgentHost, type VoiceAgentOptions } from '../../src/agent/index.js';
import { createCallClient, createStreamingCall } from '../../src/calls/index.js';
import { createEmulator, createRealtimeModel, type Emulator, type RealtimeModel, type RealtimeModelOptions, type Scenario } from '../../src/emulator/index.js';
import { createMediaServer, type MediaServer } from '../../src/server/index.js';
import { waitUntil } from '../wait-until.js';

/** A caller who stays quiet except for tones ("speech" to the model's energy VAD) at the given times. */
export function tonesScenario(tones: Array<{ atMs: number; durationMs: number }>, rawId = '4:+15551234567'): Scenario {
  const steps: Scenario['participants'][number]['steps'] = [{ atMs: 0, say: { type: 'silence' } }];
  for (const t of tones) {
    steps.push({ atMs: t.atMs, say: { type: 'tone', frequencyHz: 440, amplitude: 0.3, durationMs: t.durationMs } });
    steps.push({ atMs: t.atMs + t.durationMs, say: { type: 'silence' } });
  }
  return { participants: [{ rawId, displayName: 'Caller', steps }] };
}

export interface AgentRig {
  model: RealtimeModel;
  emulator: Emulator;
  server: MediaServer;
  agents: VoiceAgentHost;
  recordingsDir: string;
  connectionString: string;
  /** Places a bidirectional pcm24KMono call to the server and resolves with its agent call and call id. */
  call(options?: { to?: string; format?: 'pcm16k' | 'pcm24k'; channel?: 'mixed' | 'unmixed'; dtmf?: boolean }): Promise<{ agent: VoiceAgentCall; callConnectionId: string }>;
}

/** Starts everything (closed in t.after). */
export async function startRig(
  t: TestContext,
  options: { scenario: Scenario; model?: RealtimeModelOptions; agent?: Partial<VoiceAgentOptions>; path?: (model: RealtimeModel) => string },
): Promise<AgentRig> {
  const recordingsDir = await mkdtemp(join(tmpdir(), 'agent-test-'));
  const model = createRealtimeModel(options.model);
  await model.listen();
  const emulator = createEmulator({ port: 0, speed: 1, scenario: options.scenario });
  const { connectionString } = await emulator.listen();
  const server = createMediaServer({ port: 0, recordingsDir, logger: pino({ level: 'silent' }) });
  const { url, wsUrl } = await server.listen();
  const agents = createVoiceAgents({
    server,
    url: options.path ? options.path(model) : `${model.url}/v1/realtime?model=gpt-realtime`,
    apiKey: model.apiKey,
    connectionString,
    metrics: createAgentMetrics(server.metrics.registry),
    reconnect: { attempts: 3, initialDelayMs: 50, maxDelayMs: 200 },
    ...options.agent,
  });
  t.after(async () => {
    await agents.close();
    await emulator.close();
    await server.close();
    await model.close();
    await rm(recordingsDir, { recursive: true, force: true });
  });
  const client = createCallClient(connectionString);
  const pending: VoiceAgentCall[] = [];
  agents.onCall((c) => pending.push(c));
  let placed = 0;
  return {
    model,
    emulator,
    server,
    agents,
    recordingsDir,
    connectionString,
    async call(callOptions = {}) {
      const index = placed++;
      const call = await createStreamingCall(client, {
        to: callOptions.to ?? '+15551234567',
        callbackUrl: `${url}/api/callbacks`,
        streamUrl: wsUrl,
        startNow: true,
        bidirectional: true,
        format: callOptions.format ?? 'pcm24k',
        channel: callOptions.channel ?? 'mixed',
        dtmf: callOptions.dtmf ?? false,
      });
      const callConnectionId = call.callConnectionId!;
      const agent = await waitUntil(() => pending.find((c) => c.session.callConnectionId === callConnectionId) ?? (index === 0 && pending.length === 1 ? pending[0] : undefined), {
        timeoutMs: 10_000,
        message: `the agent of call ${index}`,
      });
      return { agent, callConnectionId };
    },
  };
}

/** A TCP relay in front of the model, so a test can kill one model connection as a network failure would. */
export async function startRelay(t: TestContext, target: string): Promise<{ url: string; pairs: Array<{ kill(): void; alive: boolean }> }> {
  const { createServer, connect } = await import('node:net');
  const to = new URL(target);
  const pairs: Array<{ kill(): void; alive: boolean }> = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(to.port), to.hostname);
    sockets.add(client).add(upstream);
    const pair = {
      alive: true,
      kill() {
        pair.alive = false;
        client.destroy();
        upstream.destroy();
      },
    };
    pairs.push(pair);
    const end = () => pair.kill();
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const port = (server.address() as import('node:net').AddressInfo).port;
  return { url: `ws://127.0.0.1:${port}`, pairs };
}
