// Shared parts of the scale-out tests: media server nodes on one NATS, and emulator calls streamed into them.
import { pino } from 'pino';
import { createMediaServer, type MediaServer } from '../../src/server/index.js';
import type { NatsOptions } from '../../src/cluster/index.js';
import type { EngineStream, MediaEngine, Scenario, StreamEvents, StreamSpec } from '../../src/emulator/index.js';
import { tempDirUntilExit } from '../temp-dir.js';

/** A media server node with NATS, recordings in a temp folder, auth off. */
export async function startNode(natsUrl: string, nodeId: string, extra: Partial<NatsOptions> = {}): Promise<{ server: MediaServer; url: string; wsUrl: string }> {
  const recordingsDir = await tempDirUntilExit(`nats-node-${nodeId}-`);
  const server = createMediaServer({
    port: 0,
    recordingsDir,
    logger: pino({ level: 'silent' }),
    nats: { url: natsUrl, nodeId, heartbeatMs: 300, nodeTtlMs: 1200, ...extra },
  });
  const { url, wsUrl } = await server.listen();
  return { server, url, wsUrl };
}

/** Stream events that resolve `ended` when the engine reports the stream over. */
export function streamEvents(): StreamEvents & { ended: () => void; done: Promise<void> } {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { connected() {}, failed() {}, interrupted() {}, reestablished() {}, hangupRequested() {}, ended: () => finish(), done };
}

/** Starts one emulated call streaming into `wsUrl`. */
export function startCall(engine: MediaEngine, wsUrl: string, name: string, scenario: Scenario, overrides: Partial<StreamSpec> = {}): { stream: EngineStream; events: ReturnType<typeof streamEvents> } {
  const events = streamEvents();
  const stream = engine.start(
    {
      callConnectionId: `call-${name}`,
      correlationId: `corr-${name}`,
      subscriptionId: `sub-${name}`,
      transportUrl: `${wsUrl}?call=${name}`,
      sampleRate: 16000,
      channel: 'unmixed',
      bidirectional: false,
      dtmf: true,
      scenario,
      token: async () => 'unused-auth-off',
      ...overrides,
    },
    events,
  );
  return { stream, events };
}

/** Two participants with tones and one DTMF press; `durationMs` of call time. */
export function twoPartyScenario(durationMs: number): Scenario {
  return {
    durationMs,
    participants: [
      { rawId: '4:+15551230001', steps: [{ atMs: 0, say: { type: 'tone', frequencyHz: 440, amplitude: 0.3 } }, { atMs: 200, dtmf: '7' }] },
      { rawId: '8:acs:resource_agent.one', steps: [{ atMs: 100, say: { type: 'tone', frequencyHz: 660, amplitude: 0.2 } }] },
    ],
  };
}

