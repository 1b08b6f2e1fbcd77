// Real parts for agent tests, all on loopback: the media server with voice agents attached, the ACS emulator calling
// in through the official SDK, and the emulator's realtime model stand-in.
import type { TestContext } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmulator, createRealtimeModel, type Scenario } from '../../src/emulator/index.js';
import { createMediaServer, type MediaServer, type MediaServerOptions, type MediaSession } from '../../src/server/index.js';
import { createCallClient, createStreamingCall } from '../../src/calls/index.js';
import { createVoiceAgents, type VoiceAgentOptions, type VoiceAgents } from '../../src/agent/index.js';
import { waitUntil } from '../wait-until.js';

export const CALLER = '4:+15551230001';

/** Greets (reply-0, 3.76 s); the first turn gets a 7 s answer (reply-5); the next ends the call with end_call. */
export const AGENT_SCRIPT = {
  greeting: { clip: 'reply-0' },
  turns: [{ clip: 'reply-5' }, { tool: { name: 'end_call', arguments: { reason: 'the caller is done' } } }, { clip: 'reply-4' }],
  repeat: false,
};

/** A short call: the greeting (reply-0, 3.76 s), then end_call for the caller's one question. */
export const GREET_AND_END_SCRIPT = {
  greeting: { clip: 'reply-0' },
  turns: [{ tool: { name: 'end_call', arguments: { reason: 'the caller is done' } } }],
  repeat: false,
};

/** The caller asks one question after the greeting (at 5 s). */
export function oneQuestionScenario(): Scenario {
  return { participants: [{ rawId: CALLER, displayName: 'Caller', steps: [{ atMs: 5_000, say: { type: 'fixture', name: 'en-us-male' } }] }] };
}

/** The caller asks after the greeting (5 s; the greeting ends near 4 s), and talks over the agent's answer (which
 *  starts at about 8.5 s) at 11 s. */
export function callerScenario(interruptAtMs = 11_000): Scenario {
  return {
    participants: [
      {
        rawId: CALLER,
        displayName: 'Caller',
        steps: [
          { atMs: 5_000, say: { type: 'fixture', name: 'en-us-male' } },
          { atMs: interruptAtMs, say: { type: 'fixture', name: 'en-us-female' } },
        ],
      },
    ],
  };
}

export interface AgentRig {
  agents: VoiceAgents;
  server: MediaServer;
  model: ReturnType<typeof createRealtimeModel>;
  emulator: ReturnType<typeof createEmulator>;
  recordingsDir: string;
  /** Places one call (pcm24KMono unless `format` says pcm16k; mixed, bidirectional); resolves with its id and session. */
  call(options?: { format?: 'pcm16k' | 'pcm24k'; channel?: 'mixed' | 'unmixed' }): Promise<{ callConnectionId: string; session: MediaSession }>;
}

export async function startAgentRig(
  t: TestContext,
  options: { script?: object; scenario?: Scenario; eventNames?: 'ga' | 'beta'; agent?: Partial<VoiceAgentOptions>; server?: Partial<MediaServerOptions> } = {},
): Promise<AgentRig> {
  const recordingsDir = await mkdtemp(join(tmpdir(), 'agent-'));
  const model = createRealtimeModel({ script: (options.script ?? AGENT_SCRIPT) as never, eventNames: options.eventNames });
  const { url: modelUrl } = await model.listen();
  const server = createMediaServer({ host: '127.0.0.1', port: 0, recordingsDir, ...options.server });
  const { url, wsUrl } = await server.listen();
  const emulator = createEmulator({ port: 0, scenario: options.scenario ?? callerScenario() });
  const { connectionString } = await emulator.listen();
  const client = createCallClient(connectionString);
  const agents = createVoiceAgents({
    server,
    url: `${modelUrl}/v1/realtime?model=gpt-realtime`,
    apiKey: model.apiKey,
    callClient: client,
    instructions: 'You are the test agent.',
    ...options.agent,
  });
  // One hook, in order: the recordings folder goes last, once the server has finished writing into it (separate
  // hooks run first-added first, which removed the folder under a still-writing server).
  t.after(async () => {
    await agents.close();
    await emulator.close();
    await server.close();
    await model.close();
    await rm(recordingsDir, { recursive: true, force: true });
  });
  let n = 0;
  const call = async (callOptions: { format?: 'pcm16k' | 'pcm24k'; channel?: 'mixed' | 'unmixed' } = {}) => {
    const tag = `agent-${++n}`;
    const sessionReady = new Promise<MediaSession>((resolve) => {
      const onSession = (session: MediaSession) => {
        if (session.query.get('call') !== tag) return;
        server.off('session', onSession);
        resolve(session);
      };
      server.on('session', onSession);
    });
    const created = await createStreamingCall(client, {
      to: CALLER.replace(/^4:/, ''),
      from: '+15550000000',
      callbackUrl: `${url}/api/callbacks`,
      streamUrl: `${wsUrl}?call=${tag}`,
      channel: callOptions.channel ?? 'mixed',
      format: callOptions.format ?? 'pcm24k',
      bidirectional: true,
      dtmf: true,
      startNow: true,
    });
    const session = await sessionReady;
    const callConnectionId = created.callConnectionId ?? '';
    await waitUntil(() => session.callConnectionId === callConnectionId, { message: 'the callback linking the call to its session' });
    return { callConnectionId, session };
  };
  return { agents, server, model, emulator, recordingsDir, call };
}
