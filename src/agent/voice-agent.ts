// One voice agent on one call: a RealtimeAgent + RealtimeSession (the Agents SDK) over our AcsRealtimeTransportLayer,
// with the built-in call tools, caller DTMF as user messages, and supervision: a lost or silent model connection is
// reconnected with backoff (instructions, voice and tools restored; the conversation so far is lost — the service
// keeps it per connection), and after `reconnect.attempts` failures the call gets the fallback (a WAV, then a transfer
// if a target is set, else a hang-up). Recording never depends on any of it: the media session goes on regardless.
import type { CallAutomationClient } from '@azure/communication-call-automation';
import { RealtimeAgent, RealtimeSession, type FunctionTool } from '@openai/agents-realtime';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { MediaSession } from '../media/index.js';
import { hangUpCall, playTextToAll, transferCall } from '../calls/index.js';
import { AcsRealtimeTransportLayer } from './acs-transport.js';
import { AgentError } from './agent-error.js';
import type { AgentMetrics } from './agent-metrics.js';
import type { AgentTruncation, LatencySamples } from './bridge-stats.js';
import { createCallTools } from './call-tools.js';

/** How a voice agent behaves on a call; `url` and `apiKey` are required, the rest has defaults. */
export interface VoiceAgentOptions {
  /** The realtime model's wss:// URL (OpenAI, Azure OpenAI or Voice Live; docs/voice-agents.md). */
  url: string;
  apiKey: string;
  /** CA certificate for a model with a private certificate (the local stand-in's `certPem`). */
  ca?: string | Buffer;
  /** @default 'You are a helpful voice assistant on a phone call. Keep answers short.' */
  instructions?: string;
  /** Model voice, e.g. 'alloy'. @default the model's default */
  voice?: string;
  /** What the agent says first. undefined: the model greets in its own words; null: the agent waits for the caller. */
  greeting?: string | null;
  /** App tools (the Agents SDK's `tool()`), next to the built-in call tools. */
  tools?: FunctionTool[];
  /** Call Automation client for the call tools (end_call, transfer_call, send_dtmf); none: no call tools. */
  callClient?: CallAutomationClient;
  /** Where transfer_call (and the fallback) may transfer to: phone numbers or raw IDs. @default [] */
  transferTo?: string[];
  /** Model reconnects after a lost or silent connection. @default { attempts: 3, backoffMs: [250, 1000, 3000] } */
  reconnect?: { attempts?: number; backoffMs?: number[] };
  /** Played when the model stays unreachable, before the transfer or hang-up. @default none */
  fallbackWavPath?: string;
  /** Spoken by ACS's text-to-speech (the SDK's playToAll) when the model stays unreachable and no WAV is set; needs
   *  `callClient`. @default none */
  fallbackText?: string;
  /** A turn with no model output for this long counts as a failure. @default 10000 */
  silenceTimeoutMs?: number;
  metrics?: AgentMetrics;
  logger?: Logger;
}

/** A tool the model called on this call. */
export interface VoiceAgentToolCall {
  name: string;
  arguments: string;
  output: string;
}

export type VoiceAgentState = 'connecting' | 'active' | 'reconnecting' | 'fallback' | 'ended';

/** p50/p99 (ms) of a latency sample list, and how many samples were taken. */
export interface LatencySummary {
  count: number;
  p50: number | undefined;
  p99: number | undefined;
}

/** A plain snapshot of one call's figures (what the demo prints and the bench aggregates). */
export interface VoiceAgentCallStats {
  sessionId: string;
  state: VoiceAgentState;
  connects: number;
  failures: number;
  reconnects: number;
  turns: number;
  bargeIns: number;
  /** Each conversation.item.truncate sent: audio_end_ms (heard) vs what the model had generated. */
  truncations: AgentTruncation[];
  /** speech_stopped → first agent frame handed to ACS, per turn (ms). */
  turnLatencyMs: number[];
  /** The bridge's own share: model audio received → AudioData written, speech_started → StopAudio written. */
  audioOut: LatencySummary;
  stopAudio: LatencySummary;
  toolCalls: VoiceAgentToolCall[];
  leftBy: VoiceAgentCall['leftBy'];
}

const summarize = (samples: LatencySamples): LatencySummary => ({ count: samples.count, p50: samples.percentile(50), p99: samples.percentile(99) });

const DEFAULT_INSTRUCTIONS = 'You are a helpful voice assistant on a phone call. Keep answers short.';

/** The agent attached to one call. */
export class VoiceAgentCall {
  readonly transport: AcsRealtimeTransportLayer;
  readonly realtime: RealtimeSession;
  readonly toolCalls: VoiceAgentToolCall[] = [];
  state: VoiceAgentState = 'connecting';
  /** Model connections that failed (lost, refused or silent), and reconnects that succeeded. */
  failures = 0;
  reconnects = 0;
  /** How the call was left: by a tool, by the fallback, or undefined while it runs / when the caller hung up. */
  leftBy: 'hangup' | 'transfer' | 'fallback' | undefined;
  /** Resolves when the media session has ended and the model connection is closed. */
  readonly ended: Promise<void>;
  private closing = false;
  private started = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly logger: Logger;
  private resolveEnded!: () => void;

  constructor(
    readonly session: MediaSession,
    private readonly options: VoiceAgentOptions,
  ) {
    if (typeof options.url !== 'string' || options.url === '') throw new AgentError('ERR_AGENT_BAD_OPTIONS', 'voice agent: `url` (the realtime model\'s wss:// URL) is required.');
    if (typeof options.apiKey !== 'string' || options.apiKey === '') throw new AgentError('ERR_AGENT_BAD_OPTIONS', 'voice agent: `apiKey` is required (the model key; for the emulator, its access key).');
    this.logger = (options.logger ?? pino({ level: 'silent' })).child({ session: session.id, part: 'agent' });
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    this.transport = new AcsRealtimeTransportLayer({
      session,
      url: options.url,
      apiKey: options.apiKey,
      ca: options.ca,
      metrics: options.metrics,
      silenceTimeoutMs: options.silenceTimeoutMs,
    });
    const callTools = options.callClient
      ? createCallTools({
          client: options.callClient,
          callConnectionId: () => session.callConnectionId,
          transport: this.transport,
          transferTargets: options.transferTo ?? [],
          dtmfTarget: () => session.summary().participants.find((p) => p.participantRawId !== undefined)?.participantRawId,
          onCallLeft: (how) => (this.leftBy = how),
        })
      : [];
    const agent = new RealtimeAgent({
      name: 'ACS voice agent',
      instructions: options.instructions ?? DEFAULT_INSTRUCTIONS,
      ...(options.voice ? { voice: options.voice } : {}),
      tools: [...callTools, ...(options.tools ?? [])],
    });
    this.realtime = new RealtimeSession(agent, { transport: this.transport });
    this.realtime.on('agent_tool_end', (_context, _agent, tool, result, details) => {
      const call = details.toolCall as { arguments?: string };
      this.toolCalls.push({ name: tool.name, arguments: call.arguments ?? '', output: result });
    });
    this.realtime.on('error', (event) => this.logger.warn({ err: (event as { error?: unknown }).error }, 'agent: model error event'));
    this.transport.on('connection_change', (status: string) => {
      if (status === 'disconnected') this.onDisconnected();
    });
    session.on('dtmf', (packet) => {
      if (this.state === 'active') this.realtime.sendMessage(`The caller pressed the key ${packet.tone} on the phone keypad.`);
    });
    session.once('end', () => void this.close());
  }

  /** Connects the model and greets. Resolves once connected; a failure is handled like a lost connection. */
  async start(): Promise<void> {
    this.started = true;
    this.options.metrics?.sessionsActive.inc();
    if (!(await this.connect())) {
      this.onDisconnected();
      return;
    }
    const greeting = this.options.greeting;
    if (greeting === null) return;
    this.transport.requestResponse(greeting === undefined ? undefined : { instructions: `Greet the caller by saying exactly: "${greeting}"` });
  }

  private async connect(): Promise<boolean> {
    try {
      await this.realtime.connect({ apiKey: this.options.apiKey });
      this.options.metrics?.modelConnects.inc();
      if (this.closing) {
        this.realtime.close();
        return false;
      }
      this.state = 'active';
      return true;
    } catch (error) {
      this.failures++;
      this.options.metrics?.modelFailures.inc({ reason: 'refused' });
      this.logger.warn({ err: error }, 'agent: the realtime model refused the connection');
      return false;
    }
  }

  private onDisconnected(): void {
    if (this.closing || this.state === 'fallback' || this.state === 'ended' || this.state === 'reconnecting') return;
    // The call ended first (the transport closes its model connection then): not a failure.
    if (this.session.state === 'ended' || this.session.state === 'failed') return void this.close();
    if (this.state === 'active') {
      this.failures++;
      this.options.metrics?.modelFailures.inc({ reason: this.transport.lastFailure ?? 'closed' });
      this.logger.warn({ reason: this.transport.lastFailure ?? 'closed' }, 'agent: the model connection was lost; reconnecting');
    }
    this.state = 'reconnecting';
    void this.reconnectLoop();
  }

  private async reconnectLoop(): Promise<void> {
    const attempts = this.options.reconnect?.attempts ?? 3;
    const backoff = this.options.reconnect?.backoffMs ?? [250, 1000, 3000];
    for (let i = 0; i < attempts; i++) {
      await new Promise<void>((resolve) => {
        this.retryTimer = setTimeout(resolve, backoff[Math.min(i, backoff.length - 1)] ?? 1000);
      });
      if (this.closing) return;
      if (await this.connect()) {
        this.reconnects++;
        this.options.metrics?.modelReconnects.inc();
        this.logger.info({ attempt: i + 1 }, 'agent: reconnected; instructions, voice and tools restored (the conversation so far is lost)');
        return;
      }
    }
    await this.fallback();
  }

  /** The model stayed unreachable: fallback audio, then a transfer if a target is set, else a hang-up. */
  private async fallback(): Promise<void> {
    this.state = 'fallback';
    this.leftBy = 'fallback';
    this.logger.error({ failures: this.failures }, 'agent: the realtime model stays unreachable; playing the fallback');
    try {
      const id = this.session.callConnectionId;
      const client = this.options.callClient;
      if (this.options.fallbackWavPath && this.session.state === 'streaming') {
        await this.session.play({ wavPath: this.options.fallbackWavPath }).done;
      } else if (this.options.fallbackText && client && id) {
        const played = playEnded(this.session, 15_000);
        await playTextToAll(client, id, this.options.fallbackText, { operationContext: 'agent-fallback' });
        await played;
      }
      if (client && id) {
        const target = this.options.transferTo?.[0];
        if (target) await transferCall(client, id, target);
        else await hangUpCall(client, id);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'agent: the fallback did not complete');
    }
  }

  /** This call's figures so far, as plain data. */
  stats(): VoiceAgentCallStats {
    const bridge = this.transport.stats;
    return {
      sessionId: this.session.id,
      state: this.state,
      connects: bridge.connects,
      failures: this.failures,
      reconnects: this.reconnects,
      turns: bridge.turns,
      bargeIns: bridge.bargeIns,
      truncations: [...bridge.truncations],
      turnLatencyMs: bridge.turnLatencyMs.toArray(),
      audioOut: summarize(bridge.audioOutLatencyMs),
      stopAudio: summarize(bridge.stopAudioLatencyMs),
      toolCalls: [...this.toolCalls],
      leftBy: this.leftBy,
    };
  }

  /** Detaches the agent and closes the model connection (the call and its recording go on). Idempotent. */
  async close(): Promise<void> {
    if (this.closing) return this.ended;
    this.closing = true;
    clearTimeout(this.retryTimer);
    if (this.started) this.options.metrics?.sessionsActive.dec();
    this.state = 'ended';
    try {
      this.realtime.close();
    } catch {
      // already closed
    }
    this.transport.detach();
    this.resolveEnded();
    return this.ended;
  }
}

/** Resolves at the call's next PlayCompleted/PlayFailed/PlayCanceled callback, or after `timeoutMs`. */
function playEnded(session: MediaSession, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const onEvent = (event: { type: string }) => {
      if (/Play(Completed|Failed|Canceled)$/.test(event.type)) done();
    };
    const timer = setTimeout(done, timeoutMs);
    function done() {
      clearTimeout(timer);
      session.off('callEvent', onEvent);
      resolve();
    }
    session.on('callEvent', onEvent);
  });
}

/** Attaches a voice agent to a media session (bidirectional) and connects it; the call object reports as it goes. */
export function attachVoiceAgent(session: MediaSession, options: VoiceAgentOptions): VoiceAgentCall {
  const call = new VoiceAgentCall(session, options);
  void call.start();
  return call;
}

/** Anything that announces new media sessions (a MediaServer or MediaHub). */
export interface SessionSource {
  on(event: 'session', listener: (session: MediaSession) => void): unknown;
  off(event: 'session', listener: (session: MediaSession) => void): unknown;
}

/** Voice agents on every call of a server. */
export interface VoiceAgents {
  /** Calls with an agent attached (live and ended). */
  calls(): VoiceAgentCall[];
  /** Stops attaching agents and closes every agent (calls and recordings go on). */
  close(): Promise<void>;
}

/** Attaches a voice agent to every session whose stream connects with an audio format. */
export function createVoiceAgents(options: VoiceAgentOptions & { server: SessionSource; keepEnded?: number }): VoiceAgents {
  const { server, keepEnded = 100, ...agentOptions } = options;
  const calls: VoiceAgentCall[] = [];
  const onSession = (session: MediaSession) => {
    if (session.sampleRate === undefined) return; // a transcription-only socket: nothing to talk to
    const call = attachVoiceAgent(session, agentOptions);
    calls.push(call);
    void call.ended.then(() => {
      const ended = calls.filter((c) => c.state === 'ended');
      if (ended.length > keepEnded) calls.splice(calls.indexOf(ended[0]), 1);
    });
  };
  server.on('session', onSession);
  return {
    calls: () => [...calls],
    close: async () => {
      server.off('session', onSession);
      await Promise.all(calls.map((c) => c.close()));
    },
  };
}
