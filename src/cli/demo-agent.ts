// The voice-agent demo (what `npm start` runs): the emulator's caller rings in, a voice agent answers through the
// OpenAI Agents SDK over our transport, against the emulator's local realtime model. The agent greets, the caller asks,
// talks over the answer (barge-in, truncated at what was heard), and the agent hangs up with its end_call tool.
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import { createEmulator, type Scenario } from '../emulator/index.js';
import { createMediaServer, type MediaSession, type SessionSummary } from '../server/index.js';
import { createCallClient, createStreamingCall } from '../calls/index.js';
import { createVoiceAgents, type AgentTruncation, type VoiceAgentToolCall } from '../agent/index.js';
import { DemoError, step, withTimeout as within } from './demo-run.js';

const CALLER = '4:+15551230001';

/** The caller asks after the greeting and talks over the agent's long answer; then says a last sentence. */
export const AGENT_DEMO_SCENARIO: Scenario = {
  participants: [
    {
      rawId: CALLER,
      displayName: 'Caller',
      steps: [
        { atMs: 5_000, say: { type: 'fixture', name: 'en-us-male' } },
        { atMs: 11_500, say: { type: 'fixture', name: 'en-us-female' } },
      ],
    },
  ],
};

/** What the local model answers: a greeting, a 7 s answer (to be interrupted), then end_call. */
export const AGENT_DEMO_SCRIPT = {
  greeting: { clip: 'reply-0' },
  turns: [{ clip: 'reply-5' }, { tool: { name: 'end_call', arguments: { reason: 'the caller has what they needed' } } }, { clip: 'reply-4' }],
  repeat: false,
};

export interface AgentDemoOptions {
  recordingsDir: string;
  port: number;
  keepOpen: boolean;
  progress: (line: string, final?: boolean) => void;
  logger?: Logger;
}

export interface AgentDemoResult {
  callConnectionId: string;
  session: SessionSummary;
  /** Per turn: caller stopped speaking → first agent audio sent to ACS, ms. */
  turnLatenciesMs: number[];
  /** The bridge's own share, p50/max ms: model audio received → AudioData written; speech_started → StopAudio. */
  bridge: { audioOutP50: number; audioOutMax: number; stopAudioMax: number };
  truncations: AgentTruncation[];
  /** What the emulator's caller heard of the agent before each StopAudio, ms. */
  heardAtStopMs: number[];
  toolCalls: VoiceAgentToolCall[];
  leftBy: string | undefined;
  transcript: Array<{ speaker: string; text: string; timelineMs?: number }>;
  dashboardUrl: string;
  close: () => Promise<void>;
}

/** Runs the agent call; throws a DemoError naming the broken link. */
export async function runAgentDemo(options: AgentDemoOptions): Promise<AgentDemoResult> {
  const logger = options.logger ?? pino({ level: 'warn' });
  const recordingsDir = resolve(options.recordingsDir);
  await mkdir(recordingsDir, { recursive: true });
  const server = createMediaServer({ host: '127.0.0.1', port: options.port, recordingsDir, logger });
  const emulator = createEmulator({ port: 0, scenario: AGENT_DEMO_SCENARIO, realtime: { port: 0, script: AGENT_DEMO_SCRIPT }, logger });
  const model = emulator.realtime!;
  const closeAll = async () => {
    await Promise.allSettled([emulator.close(), server.close()]);
  };
  try {
    const { url: serverUrl, wsUrl } = await step('starting the media server', () => server.listen());
    const { connectionString } = await step('starting the emulator and its realtime model', () => emulator.listen());
    const modelUrl = model.url;
    options.progress(`media server ${serverUrl}  ·  emulator ${connectionString.split(';')[0]}  ·  realtime model ${modelUrl}`, true);
    const client = createCallClient(connectionString);
    const agents = createVoiceAgents({
      server,
      url: `${modelUrl}/v1/realtime?model=gpt-realtime`,
      apiKey: model.apiKey,
      callClient: client,
      instructions: 'You answer calls for Contoso deliveries. Keep it short; hang up when the caller is done.',
      logger,
    });
    const sessionReady = new Promise<MediaSession>((resolveSession) =>
      server.on('session', (session) => {
        if (session.sampleRate !== undefined) resolveSession(session);
      }),
    );
    const call = await step('creating the call through the SDK', () =>
      createStreamingCall(client, {
        to: CALLER.replace(/^4:/, ''),
        from: '+15550000000',
        callbackUrl: `${serverUrl}/api/callbacks`,
        streamUrl: `${wsUrl}?call=agent-demo`,
        channel: 'mixed',
        format: 'pcm24k',
        bidirectional: true,
        dtmf: true,
        startNow: true,
      }),
    );
    const callConnectionId = call.callConnectionId ?? '';
    options.progress(`call ${callConnectionId} created; the agent answers when the stream connects`, true);
    const session = await step('waiting for the media stream', () => within(sessionReady, 15_000, 'WebSocket connection from the emulator'));
    const ended = new Promise<SessionSummary>((r) => session.once('end', r));
    session.on('utterance', (u) => options.progress(`${u.speaker}: ${u.text}`, true));
    const ticker = setInterval(() => {
      const agent = agents.calls()[0];
      const s = agent?.transport.stats;
      options.progress(`agent ${agent?.state ?? 'connecting'} · turns ${s?.turns ?? 0} · barge-ins ${s?.bargeIns ?? 0}`);
    }, 500);
    let summary: SessionSummary;
    try {
      summary = await step('waiting for the agent to end the call', () => within(ended, 45_000, 'end_call from the agent'));
    } finally {
      clearInterval(ticker);
    }
    const agent = agents.calls().find((c) => c.session === session);
    if (!agent) throw new DemoError('attaching the agent', 'no agent was attached to the call');
    await agent.ended;
    const stats = agent.transport.stats;
    const media = emulator.getCall(callConnectionId)?.media;
    let transcript: AgentDemoResult['transcript'] = [];
    if (summary.recordingDir) {
      const text = await readFile(join(summary.recordingDir, 'transcript.jsonl'), 'utf8').catch(() => '');
      transcript = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as AgentDemoResult['transcript'][number]).filter((l) => l.speaker);
    }
    options.progress('call ended', true);
    const result: AgentDemoResult = {
      callConnectionId,
      session: summary,
      turnLatenciesMs: stats.turnLatencyMs.toArray(),
      bridge: {
        audioOutP50: stats.audioOutLatencyMs.percentile(50) ?? 0,
        audioOutMax: stats.audioOutLatencyMs.percentile(100) ?? 0,
        stopAudioMax: stats.stopAudioLatencyMs.percentile(100) ?? 0,
      },
      truncations: [...stats.truncations],
      heardAtStopMs: (media?.outboundStopAudio ?? []).map((s) => s.heardMs),
      toolCalls: [...agent.toolCalls],
      leftBy: agent.leftBy,
      transcript,
      dashboardUrl: `${serverUrl}/`,
      close: closeAll,
    };
    await agents.close();
    if (!options.keepOpen) await emulator.close();
    return result;
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** What is wrong with the agent call, if anything. */
export function checkAgentDemoResult(result: AgentDemoResult): string[] {
  const problems: string[] = [];
  if (result.turnLatenciesMs.length === 0) problems.push('no turn was answered');
  if (result.truncations.length === 0) problems.push('the barge-in sent no truncate to the model');
  if (!result.toolCalls.some((c) => c.name === 'end_call') || result.leftBy !== 'hangup') problems.push('the agent did not hang up with end_call');
  if (!result.session.participants.some((p) => p.trackId === 'talk-back')) problems.push('the agent\'s audio was not recorded (talk-back.wav)');
  if (!result.transcript.some((l) => l.speaker === 'agent')) problems.push('no agent lines in transcript.jsonl');
  return problems;
}

/** The summary the agent demo prints. */
export function formatAgentDemoSummary(result: AgentDemoResult): string {
  const s = result.session;
  const ms = (n: number) => `${Math.round(n)} ms`;
  const lines = ['', `call ${result.callConnectionId}: the agent ${result.leftBy === 'hangup' ? 'hung up with end_call' : `left by ${result.leftBy ?? '-'}`}`];
  result.turnLatenciesMs.forEach((l, i) => lines.push(`turn ${i + 1}: caller stopped → first agent audio sent in ${ms(l)}`));
  result.truncations.forEach((t, i) =>
    lines.push(`barge-in: the caller heard ${ms(t.audioEndMs)} of ${ms(t.generatedMs)} generated (the emulator's caller had heard ${ms(result.heardAtStopMs[i] ?? 0)} of talk-back in all, greeting included); truncate sent at ${ms(t.audioEndMs)}`),
  );
  lines.push(`bridge's own share: model audio → AudioData p50 ${result.bridge.audioOutP50.toFixed(2)} ms, max ${result.bridge.audioOutMax.toFixed(2)} ms; speech_started → StopAudio max ${result.bridge.stopAudioMax.toFixed(2)} ms`);
  for (const c of result.toolCalls) lines.push(`tool ${c.name}(${c.arguments}) → ${c.output}`);
  lines.push('', 'transcript:');
  for (const l of result.transcript) lines.push(`  ${l.speaker.padEnd(7)} ${l.timelineMs !== undefined ? `${(l.timelineMs / 1000).toFixed(1)} s` : ''}  ${l.text}`);
  lines.push('', `recordings: ${s.recordingDir ?? '-'}`);
  for (const p of s.participants) lines.push(`  ${(p.participantRawId ?? p.trackId).padEnd(22)} ${p.seconds.toFixed(2)} s  ${p.file ?? '-'}`);
  lines.push('  plus transcript.jsonl (both sides), events.jsonl, session.json' + (s.channel === 'mixed' ? ', mixdown.wav (call + talk-back)' : ', mixdown.wav'));
  return lines.join('\n');
}
