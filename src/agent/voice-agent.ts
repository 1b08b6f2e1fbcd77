// attachVoiceAgent: one call's voice agent — a RealtimeAgent + RealtimeSession over an AcsRealtimeTransportLayer,
// with the built-in call tools, DTMF as user messages, and a supervisor that reconnects a dropped (or silent) model
// with backoff and, past the last attempt, plays a fallback and transfers or hangs up. Every call owns all of its
// state; nothing here is shared between calls except the metrics and the SDK client (stateless).
// createVoiceAgents: the same for every session a media server (or hub) starts.
import type { CallAutomationClient } from '@azure/communication-call-automation';
import { RealtimeAgent, RealtimeSession, type RealtimeSessionConfig } from '@openai/agents-realtime';
import pino, { type Logger } from 'pino';
import { createCallClient, hangUpCall, playTextToAll, transferCall } from '../calls/index.js';
import type { MediaSession } from '../media/index.js';
import { AcsRealtimeTransportLayer } from './acs-transport.js';
import { AgentError } from './agent-error.js';
import type { AgentMetrics } from './agent-metrics.js';
import type { AgentTruncation } from './bridge-stats.js';
import { createCallTools, type AgentTool } from './call-tools.js';

/** Options of a voice agent; everything but `url` and `apiKey` has a default. */
export interface VoiceAgentOptions {
  /** The realtime model's URL (OpenAI, Azure OpenAI, Voice Live; docs/voice-agents.md). */
  url: string;
  apiKey: string;
  /** CA certificate for a wss:// model with a private certificate (the local stand-in). */
  ca?: string | Buffer;
  /** @default the model or deployment the URL names */
  model?: string;
  /** @default 'Voice agent' */
  name?: string;
  /** @default a short helpful-phone-agent prompt */
  instructions?: string;
  /** The model's voice (e.g. 'alloy', 'marin'). @default the service's */
  voice?: string;
  /** What the agent says first: text to say, true (the model greets by its instructions) or false (wait for the
   *  caller). @default true */
  greeting?: string | boolean;
  /** App tools (the Agents SDK's `tool()`), besides the built-in call tools. @default [] */
  tools?: AgentTool[];
  /** ACS connection string: enables end_call, transfer_call and send_dtmf and the fallback's transfer/hang-up. */
  connectionString?: string;
  /** A ready SDK client instead of `connectionString`. */
  callClient?: CallAutomationClient;
  /** Where transfer_call (and the fallback) may transfer to: phone number or raw ID. @default none */
  transferTo?: string;
  /** More targets transfer_call may use (the model picks among these only). @default [] */
  allowedTransferTargets?: string[];
  /** Offer send_dtmf (tones to the caller's side). @default true when call control is configured */
  sendDtmf?: boolean;
  /** Reconnects of a dropped model socket: attempts and backoff (doubling from initialDelayMs up to maxDelayMs).
   *  @default { attempts: 3, initialDelayMs: 250, maxDelayMs: 4000 } */
  reconnect?: { attempts?: number; initialDelayMs?: number; maxDelayMs?: number };
  /** A turn with no model event for this long counts as a failure (reconnect). null: never. @default 10000 */
  silenceTimeoutMs?: number | null;
  /** Played when the model stays unavailable: a WAV file, or text spoken by ACS (needs call control).
   *  @default { text: "Sorry, I'm having trouble right now." } */
  fallback?: { wavPath?: string; text?: string };
  /** Extra realtime session config (turn detection, transcription, …), merged over the bridge's. */
  sessionConfig?: Partial<RealtimeSessionConfig>;
  /** Shared metrics (createAgentMetrics on the server's registry). @default none */
  metrics?: AgentMetrics;
  /** @default silent */
  logger?: Logger;
}

/** Where a call's agent is. */
export type VoiceAgentState = 'connecting' | 'connected' | 'reconnecting' | 'fallback' | 'ended';

/** One call's figures (the demo prints them; the bench aggregates them). */
export interface VoiceAgentCallStats {
  sessionId: string;
  state: VoiceAgentState;
  connects: number;
  reconnects: number;
  failures: Array<{ reason: 'closed' | 'refused' | 'silent'; atMs: number; message?: string }>;
  turns: number;
  bargeIns: number;
  truncations: AgentTruncation[];
  turnLatencyMs: number[];
  /** The bridge's own share, ms: p50/p99 of model audio → AudioData and of speech_started → StopAudio. */
  audioOutMs: { count: number; p50: number | undefined; p99: number | undefined };
  stopAudioMs: { count: number; p50: number | undefined; p99: number | undefined };
  toolCalls: Array<{ name: string; arguments: string; result: string }>;
  /** What the fallback did, when it ran. */
  fallback: undefined | { played: 'wav' | 'text' | 'none'; then: 'transfer' | 'hangup' | 'none'; error?: string };
}

/** A voice agent on one call. */
export interface VoiceAgentCall {
  readonly session: MediaSession;
  readonly transport: AcsRealtimeTransportLayer;
  readonly realtimeSession: RealtimeSession;
  readonly state: VoiceAgentState;
  /** Resolves once the first model connection is up (or the fallback ran). */
  readonly ready: Promise<void>;
  /** Resolves when the call's agent is done (session ended or closed). */
  readonly ended: Promise<VoiceAgentCallStats>;
  stats(): VoiceAgentCallStats;
  /** Stops the agent (the call and its recording go on). Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_INSTRUCTIONS = 'You are a friendly voice agent answering a phone call. Keep answers short and spoken-style.';

function validate(options: VoiceAgentOptions): void {
  const r = options.reconnect ?? {};
  const problems: string[] = [];
  if (r.attempts !== undefined && !(Number.isInteger(r.attempts) && r.attempts >= 0)) problems.push(`reconnect.attempts must be an integer >= 0 (got ${r.attempts})`);
  if (r.initialDelayMs !== undefined && !(r.initialDelayMs >= 0)) problems.push(`reconnect.initialDelayMs must be >= 0 (got ${r.initialDelayMs})`);
  if (r.maxDelayMs !== undefined && !(r.maxDelayMs >= (r.initialDelayMs ?? 0))) problems.push(`reconnect.maxDelayMs must be >= initialDelayMs (got ${r.maxDelayMs})`);
  if (options.connectionString && options.callClient) problems.push('give connectionString or callClient, not both');
  if (problems.length > 0) throw new AgentError('ERR_AGENT_BAD_OPTIONS', `voice agent: ${problems.join('; ')}`);
}

function summary(samples: { count: number; percentile(p: number): number | undefined }): VoiceAgentCallStats['audioOutMs'] {
  return { count: samples.count, p50: samples.percentile(50), p99: samples.percentile(99) };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.());

/** Attaches a voice agent to one media session (bidirectional). Returns at once; the model connects in the background. */
export function attachVoiceAgent(session: MediaSession, options: VoiceAgentOptions, shared: { client?: CallAutomationClient } = {}): VoiceAgentCall {
  validate(options);
  const logger = options.logger ?? pino({ level: 'silent' });
  const log = logger.child({ session: session.id });
  const client = shared.client ?? options.callClient ?? (options.connectionString ? createCallClient(options.connectionString) : undefined);
  const startedAt = Date.now();
  const attempts = options.reconnect?.attempts ?? 3;
  const initialDelay = options.reconnect?.initialDelayMs ?? 250;
  const maxDelay = options.reconnect?.maxDelayMs ?? 4000;
  const metrics = options.metrics;
  let state: VoiceAgentState = 'connecting';
  let closed = false;
  let left = false;
  let reconnects = 0;
  const failures: VoiceAgentCallStats['failures'] = [];
  const toolCalls: VoiceAgentCallStats['toolCalls'] = [];
  let fallback: VoiceAgentCallStats['fallback'];

  const transport = new AcsRealtimeTransportLayer({
    session,
    url: options.url,
    apiKey: options.apiKey,
    model: options.model,
    ca: options.ca,
    silenceTimeoutMs: options.silenceTimeoutMs,
    metrics,
  });
  const transferTargets = [...new Set([...(options.transferTo ? [options.transferTo] : []), ...(options.allowedTransferTargets ?? [])])];
  const callTools = client
    ? createCallTools({
        client,
        transport,
        callConnectionId: () => session.callConnectionId,
        transferTargets,
        dtmfTarget: options.sendDtmf === false ? undefined : () => session.summary().participants.find((p) => p.participantRawId !== undefined)?.participantRawId,
        onCallLeft: () => {
          left = true;
          // The call is over for us: close the model once the tool's output has gone back through the SDK.
          setTimeout(() => void close(), 0).unref?.();
        },
      })
    : [];
  const agent = new RealtimeAgent({
    name: options.name ?? 'Voice agent',
    instructions: options.instructions ?? DEFAULT_INSTRUCTIONS,
    voice: options.voice,
    tools: [...callTools, ...(options.tools ?? [])],
  });
  const realtimeSession = new RealtimeSession(agent, {
    transport,
    model: options.model,
    config: options.sessionConfig,
  });
  realtimeSession.on('agent_tool_end', (_ctx, _agent, tool, result, details) => {
    const call = details.toolCall as { arguments?: string };
    toolCalls.push({ name: tool.name, arguments: call.arguments ?? '', result });
  });
  realtimeSession.on('error', (e) => log.debug({ err: (e as { error?: unknown }).error }, 'agent: transport error'));
  metrics?.sessionsActive.inc();

  const onDtmf = (packet: { tone: string }) => {
    if (state !== 'connected' || transport.status !== 'connected') return;
    realtimeSession.sendMessage(`The caller pressed ${packet.tone} on the phone keypad.`);
    transport.expectAnswer();
  };
  session.on('dtmf', onDtmf);

  function greet(): void {
    const greeting = options.greeting ?? true;
    if (greeting === false) return;
    const instructions = typeof greeting === 'string' ? `Greet the caller by saying exactly: "${greeting}"` : undefined;
    transport.requestResponse(instructions ? { instructions } : undefined);
  }

  async function connectLoop(first: boolean): Promise<void> {
    for (let attempt = 0; !closed; attempt++) {
      if (attempt > 0) await sleep(Math.min(maxDelay, initialDelay * 2 ** (attempt - 1)));
      if (closed) return;
      try {
        await realtimeSession.connect({ apiKey: options.apiKey });
        if (closed) return;
        metrics?.modelConnects.inc();
        state = 'connected';
        if (first) greet();
        else {
          reconnects++;
          metrics?.modelReconnects.inc();
          log.info({ reconnects }, 'agent: model reconnected (the conversation so far is lost)');
        }
        return;
      } catch (error) {
        if (closed) return;
        failures.push({ reason: 'refused', atMs: Date.now() - startedAt, message: (error as Error)?.message ?? String(error) });
        metrics?.modelFailures.inc({ reason: 'refused' });
        log.warn({ attempt, err: error }, 'agent: model connection failed');
        if (attempt >= attempts) return runFallback();
      }
    }
  }

  async function runFallback(): Promise<void> {
    state = 'fallback';
    const fb = options.fallback ?? { text: "Sorry, I'm having trouble right now." };
    const result: NonNullable<VoiceAgentCallStats['fallback']> = { played: 'none', then: 'none' };
    fallback = result;
    const callId = session.callConnectionId;
    try {
      if (fb.wavPath) {
        result.played = 'wav';
        await session.play({ wavPath: fb.wavPath }).done;
      } else if (fb.text && client && callId) {
        result.played = 'text';
        await playTextToAll(client, callId, fb.text, { operationContext: 'agent-fallback' });
        await waitForPlayEnd(session, 15_000);
      }
      if (client && callId && !closed) {
        if (options.transferTo) {
          result.then = 'transfer';
          await transferCall(client, callId, options.transferTo);
        } else {
          result.then = 'hangup';
          await hangUpCall(client, callId);
        }
      }
    } catch (error) {
      result.error = (error as Error)?.message ?? String(error);
      log.error({ err: error }, 'agent: fallback failed; the call stays up and recording goes on');
    }
  }

  transport.on('connection_change', (status) => {
    if (status !== 'disconnected' || state !== 'connected' || closed || left) return;
    const reason = transport.lastFailure === 'silent' ? 'silent' : 'closed';
    failures.push({ reason, atMs: Date.now() - startedAt });
    metrics?.modelFailures.inc({ reason });
    log.warn({ reason }, 'agent: model connection lost; reconnecting');
    state = 'reconnecting';
    void connectLoop(false);
  });

  let resolveEnded!: (stats: VoiceAgentCallStats) => void;
  const ended = new Promise<VoiceAgentCallStats>((resolve) => (resolveEnded = resolve));
  const stats = (): VoiceAgentCallStats => ({
    sessionId: session.id,
    state,
    connects: transport.stats.connects,
    reconnects,
    failures: [...failures],
    turns: transport.stats.turns,
    bargeIns: transport.stats.bargeIns,
    truncations: [...transport.stats.truncations],
    turnLatencyMs: transport.stats.turnLatencyMs.toArray(),
    audioOutMs: summary(transport.stats.audioOutLatencyMs),
    stopAudioMs: summary(transport.stats.stopAudioLatencyMs),
    toolCalls: [...toolCalls],
    fallback,
  });
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    state = 'ended';
    session.off('dtmf', onDtmf);
    session.off('end', onEnd);
    transport.detach();
    try {
      realtimeSession.close();
    } catch (error) {
      log.debug({ err: error }, 'agent: closing the model socket failed');
    }
    metrics?.sessionsActive.dec();
    resolveEnded(stats());
  };
  const onEnd = () => void close();
  session.once('end', onEnd);
  const ready = connectLoop(true);

  return {
    session,
    transport,
    realtimeSession,
    get state() {
      return state;
    },
    ready,
    ended,
    stats,
    close,
  };
}

/** Resolves at the call's next PlayCompleted/PlayFailed callback, or after `timeoutMs`. */
function waitForPlayEnd(session: MediaSession, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    timer.unref?.();
    function onEvent(event: { type: string }) {
      if (/Play(Completed|Failed|Canceled)$/.test(event.type)) done();
    }
    function done() {
      clearTimeout(timer);
      session.off('callEvent', onEvent);
      resolve();
    }
    session.on('callEvent', onEvent);
  });
}

/** Something that announces new media sessions: a MediaServer or a MediaHub. */
export interface SessionSource {
  on(event: 'session', listener: (session: MediaSession) => void): unknown;
  off(event: 'session', listener: (session: MediaSession) => void): unknown;
}

/** Voice agents on every call of a server. */
export interface VoiceAgentHost {
  /** Calls with an agent now (ended ones drop out). */
  calls(): VoiceAgentCall[];
  /** Emits every new agent call (for the demo and apps). */
  onCall(listener: (call: VoiceAgentCall) => void): void;
  /** Stops attaching and closes every agent (the calls go on). Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link createVoiceAgents}: the agent's options plus where sessions come from. */
export interface VoiceAgentsOptions extends VoiceAgentOptions {
  /** A MediaServer (createMediaServer) or MediaHub: every audio session it starts gets an agent. */
  server: SessionSource;
}

/** Attaches a voice agent to every audio session `server` starts (transcription-only sockets are skipped). */
export function createVoiceAgents(options: VoiceAgentsOptions): VoiceAgentHost {
  validate(options);
  const client = options.callClient ?? (options.connectionString ? createCallClient(options.connectionString) : undefined);
  const live = new Set<VoiceAgentCall>();
  const listeners: Array<(call: VoiceAgentCall) => void> = [];
  const onSession = (session: MediaSession) => {
    if (session.sampleRate === undefined) return;
    const call = attachVoiceAgent(session, options, { client });
    live.add(call);
    void call.ended.then(() => live.delete(call));
    for (const l of listeners) l(call);
  };
  options.server.on('session', onSession);
  return {
    calls: () => [...live],
    onCall: (listener) => {
      listeners.push(listener);
    },
    close: async () => {
      options.server.off('session', onSession);
      await Promise.all([...live].map((c) => c.close()));
    },
  };
}
