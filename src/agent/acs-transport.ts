// AcsRealtimeTransportLayer: the Agents SDK's OpenAIRealtimeWebSocket bound to one ACS media session, the ACS
// counterpart of TwilioRealtimeTransportLayer (@openai/agents-extensions). Caller audio → input_audio_buffer.append;
// model audio → the session's PlayStream; barge-in → StopAudio first, then one truncate per unheard item with what
// the caller heard (the pacing model's playedMs), never what the model generated. Twilio needs `mark` echoes for
// that figure; ACS has none, and our talk-back pacer knows it (docs/voice-agents.md §Barge-in).
import { performance } from 'node:perf_hooks';
import {
  OpenAIRealtimeWebSocket,
  type OpenAIRealtimeWebSocketOptions,
  type RealtimeSessionConfig,
  type RealtimeTransportLayerConnectOptions,
  type TransportLayerAudio,
} from '@openai/agents-realtime';
import type { WebSocket as WsSocket } from 'ws';
import type { AudioFrame, MediaSession } from '../media/index.js';
import { AgentError } from './agent-error.js';
import type { AgentMetrics } from './agent-metrics.js';
import { CallerAudio, MODEL_RATE } from './caller-audio.js';
import { modelEndpoint } from './model-endpoint.js';
import { ModelSocket } from './model-socket.js';
import { openPlayStream, type AgentPlayStream } from './play-stream.js';
import { BridgeStats, type AgentTruncation } from './bridge-stats.js';
import { HeardTranscript } from './heard-transcript.js';

/** Options of {@link AcsRealtimeTransportLayer}; everything but `session` and `url` has a default. */
export interface AcsRealtimeTransportOptions extends Omit<OpenAIRealtimeWebSocketOptions, 'createWebSocket' | 'url' | 'skipOpenEventListeners' | 'useInsecureApiKey'> {
  /** The call's media session (bidirectional): caller audio comes from it, the model's audio is played into it. */
  session: MediaSession;
  /** The realtime model's wss:// URL: OpenAI, Azure OpenAI or Voice Live (docs/voice-agents.md). */
  url: string;
  /** CA certificate(s) for a wss:// model with a private certificate (the local stand-in's `certPem`). */
  ca?: string | Buffer;
  /** Most model audio queued for playback ahead of the caller, in ms (the model sends faster than real time).
   *  @default 120000 */
  maxQueuedMs?: number;
  /** A turn whose answer has not finished and from which the model sent nothing for this long counts as a failure:
   *  the model socket is closed (`lastFailure` 'silent'), so whoever supervises the call reconnects. null: never.
   *  @default 10000 */
  silenceTimeoutMs?: number | null;
  /** Write both sides' transcripts to the session (`session.addTranscript`). @default true */
  transcripts?: boolean;
  /** Shared agent metrics (createAgentMetrics). @default none */
  metrics?: AgentMetrics;
}

interface PlaybackItem {
  responseId: string;
  itemId: string;
  contentIndex: number;
  stream: AgentPlayStream;
  generatedMs: number;
  /** playedMs frozen when a barge-in cut it. */
  cutAtMs: number | undefined;
}

interface OutputMeta {
  response_id: string;
  item_id: string;
  content_index: number;
}

const MAX_TIMER_MS = 2_147_483_647;

function withPcm24(config: Partial<RealtimeSessionConfig> | undefined): Partial<RealtimeSessionConfig> {
  const pcm = { type: 'audio/pcm', rate: MODEL_RATE } as const;
  const c = (config ?? {}) as Partial<RealtimeSessionConfig> & { audio?: { input?: Record<string, unknown>; output?: Record<string, unknown> } };
  if ('inputAudioFormat' in c || 'outputAudioFormat' in c) return c;
  return { ...c, audio: { ...c.audio, input: { ...c.audio?.input, format: c.audio?.input?.format ?? pcm }, output: { ...c.audio?.output, format: c.audio?.output?.format ?? pcm } } } as Partial<RealtimeSessionConfig>;
}

/**
 * An Agents SDK transport that connects one ACS media session to a realtime model:
 * `new RealtimeSession(agent, { transport: new AcsRealtimeTransportLayer({ session, url }) })`.
 */
export class AcsRealtimeTransportLayer extends OpenAIRealtimeWebSocket {
  /** The media session this transport is bound to. */
  readonly session: MediaSession;
  /** Per-call figures: barge-ins, truncations (heard vs generated), turn and bridge latencies. */
  readonly stats = new BridgeStats();
  /** Why the model connection last ended from our side ('silent'), or undefined. */
  lastFailure: 'silent' | undefined;
  #ca: string | Buffer | undefined;
  #maxQueuedMs: number;
  #silenceTimeoutMs: number | null;
  #metrics: AgentMetrics | undefined;
  #caller: CallerAudio;
  #socket: ModelSocket | undefined;
  #items: PlaybackItem[] = [];
  /** Playbacks of a previous model connection: still cut by barge-in, never truncated (their items are gone). */
  #orphans = new Set<AgentPlayStream>();
  #activeResponseId: string | null = null;
  #discarded = new Set<string>();
  #nextMeta: OutputMeta | null = null;
  #audioReceivedAt = 0;
  #speechStoppedAt: number | undefined;
  #stopAudioSent = false;
  #silenceTimer: NodeJS.Timeout | undefined;
  #awaitingAnswer = false;
  #attached = false;
  /** The agent's transcript lines, written as heard. */
  #heard: HeardTranscript | undefined;
  #idleWaiters: Array<() => void> = [];

  constructor(options: AcsRealtimeTransportOptions) {
    const apiKey = typeof options.apiKey === 'string' ? options.apiKey : undefined;
    // Validate the URL early (a clear error at construction, not at connect); the key may come with connect().
    const endpoint = modelEndpoint(options.url, apiKey ?? 'key-given-at-connect');
    const holder: { transport?: AcsRealtimeTransportLayer } = {};
    super({
      ...options,
      model: options.model ?? endpoint.model,
      url: options.url,
      createWebSocket: async ({ url, apiKey: key }) => holder.transport!.#openSocket(url, key),
    });
    holder.transport = this;
    if (!options.session || typeof options.session.on !== 'function') {
      throw new AgentError('ERR_AGENT_BAD_OPTIONS', 'AcsRealtimeTransportLayer: `session` must be a MediaSession (the media server\'s "session" event).');
    }
    const maxQueuedMs = options.maxQueuedMs ?? 120_000;
    if (!(maxQueuedMs >= 100)) throw new RangeError(`maxQueuedMs must be at least 100 (got ${maxQueuedMs}).`);
    const silence = options.silenceTimeoutMs === undefined ? 10_000 : options.silenceTimeoutMs;
    if (silence !== null && !(silence > 0 && silence <= MAX_TIMER_MS)) {
      throw new RangeError(`silenceTimeoutMs must be a positive number of ms no greater than ${MAX_TIMER_MS}, or null (got ${silence}).`);
    }
    this.session = options.session;
    this.#ca = options.ca;
    this.#maxQueuedMs = maxQueuedMs;
    this.#silenceTimeoutMs = silence;
    this.#metrics = options.metrics;
    this.#caller = new CallerAudio(this.#sendCallerAudio);
    this.#attach(options.transcripts ?? true);
  }

  async #openSocket(url: string, apiKey: string): Promise<WsSocket> {
    const { headers } = modelEndpoint(url, apiKey);
    this.#socket = new ModelSocket(url, { ...headers, ...this.getCommonRequestHeaders() }, { ca: this.#ca, hook: this.#inbound });
    return this.#socket as unknown as WsSocket;
  }

  #attach(transcripts: boolean): void {
    this.#attached = true;
    this.session.on('audio', this.#onFrame);
    this.session.once('end', this.#onSessionEnd);
    this.on('response.output_audio.delta', (e: OutputMeta) => {
      this.#nextMeta = e;
    });
    this.on('response.output_audio.done', (e: OutputMeta) => this.#endItem(e.response_id, e.item_id));
    this.on('response.created', (e: { response: { id?: string } }) => {
      if (typeof e.response.id === 'string') this.#activeResponseId = e.response.id;
    });
    this.on('response.done', (e: { response: { id?: string } }) => {
      const id = e.response.id;
      if (typeof id !== 'string') return;
      this.#discarded.delete(id);
      if (this.#activeResponseId === id) this.#activeResponseId = null;
      for (const item of this.#items) if (item.responseId === id) item.stream.end();
      this.#awaitingAnswer = false;
      this.#clearSilence();
      this.#checkIdle();
    });
    this.on('connection_change', (status: string) => {
      if (status === 'connected') this.stats.connects++;
    });
    if (transcripts) {
      const session = this.session;
      this.on('conversation.item.input_audio_transcription.completed', (e: { transcript?: string }) => {
        if (e.transcript && session.state !== 'ended') session.addTranscript({ speaker: 'caller', text: e.transcript });
      });
      this.#heard = new HeardTranscript(session);
      this.on('response.output_audio_transcript.done', (e: { item_id?: string; transcript?: string }) => {
        if (e.transcript) this.#heard?.text(e.item_id, e.transcript);
      });
    }
  }

  /** Stops listening to the media session (done by itself when the session ends). */
  detach(): void {
    if (!this.#attached) return;
    this.#attached = false;
    this.session.off('audio', this.#onFrame);
    this.session.off('end', this.#onSessionEnd);
    this.#heard?.close();
  }

  #onSessionEnd = (): void => {
    this.detach();
    for (const item of this.#items) item.stream.cancel();
    this.#items = [];
    this.#checkIdle();
    if (this.status !== 'disconnected') this.close();
  };

  #onFrame = (frame: AudioFrame): void => {
    if (this.status === 'connected') this.#caller.accept(frame);
  };

  #sendCallerAudio = (samples: Int16Array): void => {
    if (this.status !== 'connected') return;
    const audio = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength).toString('base64');
    this.sendEvent({ type: 'input_audio_buffer.append', audio });
    this.stats.inputFramesSent++;
  };

  /** Every model message, before the SDK parses it: StopAudio must not wait for that. */
  #inbound = (type: string, _text: string, receivedAt: number): void => {
    if (this.#awaitingAnswer) this.#armSilence();
    switch (type) {
      case 'response.output_audio.delta':
        this.#audioReceivedAt = receivedAt;
        return;
      case 'input_audio_buffer.speech_started':
        if (this.#items.length > 0 || this.#activeResponseId !== null || this.#orphans.size > 0) {
          this.session.stopAudio();
          this.#stopAudioSent = true;
          const ms = performance.now() - receivedAt;
          this.stats.stopAudioLatencyMs.push(ms);
          this.#metrics?.bridgeLatency.observe({ hop: 'stop_audio' }, ms / 1000);
          for (const item of this.#items) item.cutAtMs = item.stream.playedMs;
        }
        return;
      case 'input_audio_buffer.speech_stopped':
        this.#speechStoppedAt = receivedAt;
        this.stats.turns++;
        this.#metrics?.turns.inc();
        this.#awaitingAnswer = true;
        this.#armSilence();
        return;
      default:
    }
  };

  #armSilence(): void {
    if (this.#silenceTimeoutMs === null) return;
    clearTimeout(this.#silenceTimer);
    this.#silenceTimer = setTimeout(this.#onSilence, this.#silenceTimeoutMs);
    this.#silenceTimer.unref?.();
  }

  #clearSilence(): void {
    clearTimeout(this.#silenceTimer);
    this.#silenceTimer = undefined;
  }

  #onSilence = (): void => {
    this.#silenceTimer = undefined;
    if (!this.#awaitingAnswer || this.status !== 'connected') return;
    this.lastFailure = 'silent';
    this.stats.modelSilent++;
    this.#socket?.terminate();
  };

  /** Marks that an answer is expected (a response.create the app sent): the silence watch covers it too. */
  expectAnswer(): void {
    this.#awaitingAnswer = true;
    this.#armSilence();
  }

  override async connect(options: RealtimeTransportLayerConnectOptions): Promise<void> {
    this.lastFailure = undefined;
    options.initialSessionConfig = withPcm24(options.initialSessionConfig);
    await super.connect(options);
  }

  override updateSessionConfig(config: Partial<RealtimeSessionConfig>): void {
    super.updateSessionConfig(withPcm24(config));
  }

  override requestResponse(response?: Parameters<OpenAIRealtimeWebSocket['requestResponse']>[0]): void {
    super.requestResponse(response);
    this.expectAnswer();
  }

  protected override _onAudio(audioEvent: TransportLayerAudio): void {
    const meta = this.#nextMeta;
    this.#nextMeta = null;
    if (this.#discarded.has(audioEvent.responseId)) return;
    const itemId = this.currentItemId;
    if (itemId === undefined || !this.#attached) {
      this.emit('audio', audioEvent);
      return;
    }
    const contentIndex = meta !== null && meta.response_id === audioEvent.responseId && meta.item_id === itemId ? meta.content_index : 0;
    const item = this.#itemFor(audioEvent.responseId, itemId, contentIndex);
    if (item !== undefined) {
      const samples = new Int16Array(audioEvent.data, 0, audioEvent.data.byteLength >> 1);
      item.generatedMs += (samples.length * 1000) / MODEL_RATE;
      item.stream.write(samples);
      const now = performance.now();
      const ms = now - this.#audioReceivedAt;
      this.stats.audioOutLatencyMs.push(ms);
      this.#metrics?.bridgeLatency.observe({ hop: 'audio_out' }, ms / 1000);
      if (this.#speechStoppedAt !== undefined) {
        const turnMs = now - this.#speechStoppedAt;
        this.#speechStoppedAt = undefined;
        this.stats.turnLatencyMs.push(turnMs);
        this.#metrics?.turnLatency.observe(turnMs / 1000);
      }
    }
    this.emit('audio', audioEvent);
  }

  #itemFor(responseId: string, itemId: string, contentIndex: number): PlaybackItem | undefined {
    for (const item of this.#items) {
      if (item.itemId === itemId && item.contentIndex === contentIndex && item.responseId === responseId) return item;
    }
    let stream: AgentPlayStream;
    try {
      stream = openPlayStream(this.session, MODEL_RATE, this.#maxQueuedMs);
    } catch {
      // The session has ended or lost its socket: nothing can be played, the recording is unaffected.
      this.stats.audioDropped++;
      return undefined;
    }
    const item: PlaybackItem = { responseId, itemId, contentIndex, stream, generatedMs: 0, cutAtMs: undefined };
    this.#items.push(item);
    this.#heard?.opened(itemId, stream.id, () => item.generatedMs);
    void stream.done.then(() => this.#forget(item), () => this.#forget(item));
    return item;
  }

  #endItem(responseId: string, itemId: string): void {
    for (const item of this.#items) if (item.responseId === responseId && item.itemId === itemId) item.stream.end();
  }

  #forget(item: PlaybackItem): void {
    const i = this.#items.indexOf(item);
    if (i >= 0) this.#items.splice(i, 1);
    this.#checkIdle();
  }

  #checkIdle(): void {
    if (this.#items.length > 0 || this.#activeResponseId !== null) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once the response in progress is done and all its audio has been heard (or cut). */
  playbackIdle(): Promise<void> {
    if (this.#items.length === 0 && this.#activeResponseId === null) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Ms of agent audio queued but not yet heard (0 when idle). */
  get pendingPlaybackMs(): number {
    let ms = 0;
    for (const item of this.#items) ms += item.generatedMs - item.stream.playedMs;
    return ms;
  }

  override interrupt(cancelOngoingResponse = true): void {
    this.#interruptPlayback(cancelOngoingResponse);
  }

  override _interrupt(_elapsedTime: number, cancelOngoingResponse = true): void {
    this.#interruptPlayback(cancelOngoingResponse);
  }

  /** Barge-in: StopAudio (unless the inbound hook already sent it), then truncate each unheard item at what was heard. */
  #interruptPlayback(cancelOngoingResponse: boolean): void {
    const stopped = this.#stopAudioSent;
    this.#stopAudioSent = false;
    for (const stream of this.#orphans) stream.cancel();
    this.#orphans.clear();
    if (this.#activeResponseId === null && this.#items.length === 0) return;
    if (!stopped) {
      this.session.stopAudio();
      for (const item of this.#items) item.cutAtMs = item.stream.playedMs;
    }
    const items = this.#items;
    this.#items = [];
    const active = this.#activeResponseId;
    this.#activeResponseId = null;
    if (active !== null) this.#discarded.add(active);
    for (const item of items) {
      this.#discarded.add(item.responseId);
      item.stream.cancel();
    }
    this.stats.bargeIns++;
    this.#metrics?.bargeIns.inc();
    this.#checkIdle();
    if (this.status !== 'connected') return;
    try {
      if (cancelOngoingResponse && active !== null) this._cancelResponse();
      this.emit('audio_interrupted');
      for (const item of items) {
        const heard = Math.max(0, Math.floor(Math.min(item.cutAtMs ?? item.stream.playedMs, item.generatedMs)));
        // An item heard to its end needs no truncation: the model's context is already right.
        if (heard >= Math.floor(item.generatedMs) - 20 && !(active === item.responseId)) continue;
        const truncation: AgentTruncation = { itemId: item.itemId, contentIndex: item.contentIndex, audioEndMs: heard, generatedMs: Math.round(item.generatedMs) };
        this.sendEvent({ type: 'conversation.item.truncate', item_id: item.itemId, content_index: item.contentIndex, audio_end_ms: heard });
        this.stats.truncations.push(truncation);
        this.#metrics?.truncations.inc();
      }
    } finally {
      super._afterAudioDoneEvent();
    }
  }

  protected override _onClose(): void {
    // Audio already received keeps playing; its items belong to a conversation the next connection will not know.
    for (const item of this.#items) {
      const stream = item.stream;
      stream.end();
      this.#orphans.add(stream);
      void stream.done.then(() => this.#orphans.delete(stream), () => this.#orphans.delete(stream));
    }
    this.#items = [];
    this.#activeResponseId = null;
    this.#discarded.clear();
    this.#speechStoppedAt = undefined;
    this.#awaitingAnswer = false;
    this.#clearSilence();
    this.#checkIdle();
    super._onClose();
  }
}
