// AcsRealtimeTransportLayer: the Agents SDK's OpenAIRealtimeWebSocket bound to one ACS media session, the ACS
// counterpart of TwilioRealtimeTransportLayer (@openai/agents-extensions). Caller audio → input_audio_buffer.append
// (caller-audio.ts); model audio → one PlayStream per item (agent-playback.ts); barge-in → StopAudio first, then one
// truncate per unheard item with what the caller heard (barge-in.ts), never what the model generated. Twilio needs
// `mark` echoes for that figure; ACS has none, and our talk-back pacer knows it (docs/voice-agents.md §Barge-in).
// Preview event names are rewritten to GA ones in model-socket.ts, before anything here sees them.
import { performance } from 'node:perf_hooks';
import {
  OpenAIRealtimeWebSocket,
  type RealtimeSessionConfig,
  type RealtimeTransportLayerConnectOptions,
  type TransportLayerAudio,
} from '@openai/agents-realtime';
import type { WebSocket as WsSocket } from 'ws';
import type { AudioFrame, MediaSession } from '../media/index.js';
import type { AgentMetrics } from './agent-metrics.js';
import { AgentPlayback } from './agent-playback.js';
import { truncationsFor } from './barge-in.js';
import { BridgeStats } from './bridge-stats.js';
import { CallerAudio, MODEL_RATE } from './caller-audio.js';
import { HeardTranscript } from './heard-transcript.js';
import { modelEndpoint } from './model-endpoint.js';
import { ModelSocket } from './model-socket.js';
import { SilenceWatch } from './silence-watch.js';
import { transportSettings, withPcm24, type AcsRealtimeTransportOptions } from './transport-options.js';

export type { AcsRealtimeTransportOptions } from './transport-options.js';

interface OutputMeta {
  response_id: string;
  item_id: string;
  content_index: number;
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
  #metrics: AgentMetrics | undefined;
  #caller: CallerAudio;
  #playback: AgentPlayback;
  #silence: SilenceWatch;
  #socket: ModelSocket | undefined;
  /** The last output_audio.delta's ids: the SDK's audio event carries the response id only. */
  #nextMeta: OutputMeta | null = null;
  #audioReceivedAt = 0;
  #speechStoppedAt: number | undefined;
  /** StopAudio already went out from the inbound hook for the barge-in the SDK is about to report. */
  #stopAudioSent = false;
  #attached = false;
  /** The agent's transcript lines, written as heard. */
  #heard: HeardTranscript | undefined;

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
    const settings = transportSettings(options);
    this.session = options.session;
    this.#ca = options.ca;
    this.#metrics = options.metrics;
    this.#caller = new CallerAudio(this.#sendCallerAudio);
    this.#playback = new AgentPlayback(this.session, MODEL_RATE, settings.maxQueuedMs, (item) => {
      this.#heard?.opened(item.itemId, item.stream.id, () => item.generatedMs);
    });
    this.#silence = new SilenceWatch(settings.silenceTimeoutMs, this.#onSilent);
    this.#attach(settings.transcripts);
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
    this.on('response.output_audio.done', (e: OutputMeta) => this.#playback.itemDone(e.response_id, e.item_id));
    this.on('response.created', (e: { response: { id?: string } }) => {
      if (typeof e.response.id === 'string') this.#playback.responseCreated(e.response.id);
    });
    this.on('response.done', (e: { response: { id?: string } }) => {
      const id = e.response.id;
      if (typeof id !== 'string') return;
      this.#silence.answered();
      this.#playback.responseDone(id);
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
    this.#playback.cancelAll();
    if (this.status !== 'disconnected') this.close();
  };

  // ── audio in: the caller's side → the model ──

  #onFrame = (frame: AudioFrame): void => {
    if (this.status === 'connected') this.#caller.accept(frame);
  };

  #sendCallerAudio = (samples: Int16Array): void => {
    if (this.status !== 'connected') return;
    const audio = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength).toString('base64');
    this.sendEvent({ type: 'input_audio_buffer.append', audio });
    this.stats.inputFramesSent++;
  };

  // ── every model message, before the SDK parses it: StopAudio must not wait for that ──

  #inbound = (type: string, _text: string, receivedAt: number): void => {
    this.#silence.heard();
    switch (type) {
      case 'response.output_audio.delta':
        this.#audioReceivedAt = receivedAt;
        return;
      case 'input_audio_buffer.speech_started':
        if (this.#playback.audible) {
          this.session.stopAudio();
          this.#stopAudioSent = true;
          const ms = performance.now() - receivedAt;
          this.stats.stopAudioLatencyMs.push(ms);
          this.#metrics?.bridgeLatency.observe({ hop: 'stop_audio' }, ms / 1000);
          this.#playback.freezeHeard();
        }
        return;
      case 'input_audio_buffer.speech_stopped':
        this.#speechStoppedAt = receivedAt;
        this.stats.turns++;
        this.#metrics?.turns.inc();
        this.#silence.expect();
        return;
      default:
    }
  };

  #onSilent = (): void => {
    if (this.status !== 'connected') return;
    this.lastFailure = 'silent';
    this.stats.modelSilent++;
    this.#socket?.terminate();
  };

  /** Marks that an answer is expected (a response.create the app sent): the silence watch covers it too. */
  expectAnswer(): void {
    this.#silence.expect();
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

  // ── audio out: the model → the caller ──

  protected override _onAudio(audioEvent: TransportLayerAudio): void {
    const meta = this.#nextMeta;
    this.#nextMeta = null;
    if (this.#playback.isDiscarded(audioEvent.responseId)) return;
    const itemId = this.currentItemId;
    if (itemId === undefined || !this.#attached) {
      this.emit('audio', audioEvent);
      return;
    }
    const contentIndex = meta !== null && meta.response_id === audioEvent.responseId && meta.item_id === itemId ? meta.content_index : 0;
    const item = this.#playback.item(audioEvent.responseId, itemId, contentIndex);
    if (item === undefined) {
      this.stats.audioDropped++;
    } else {
      const samples = new Int16Array(audioEvent.data, 0, audioEvent.data.byteLength >> 1);
      item.generatedMs += (samples.length * 1000) / MODEL_RATE;
      item.stream.write(samples);
      this.#measureAudioOut(performance.now());
    }
    this.emit('audio', audioEvent);
  }

  #measureAudioOut(now: number): void {
    const ms = now - this.#audioReceivedAt;
    this.stats.audioOutLatencyMs.push(ms);
    this.#metrics?.bridgeLatency.observe({ hop: 'audio_out' }, ms / 1000);
    if (this.#speechStoppedAt === undefined) return;
    const turnMs = now - this.#speechStoppedAt;
    this.#speechStoppedAt = undefined;
    this.stats.turnLatencyMs.push(turnMs);
    this.#metrics?.turnLatency.observe(turnMs / 1000);
  }

  /** Resolves once the response in progress is done and all its audio has been heard (or cut). */
  playbackIdle(): Promise<void> {
    return this.#playback.idle();
  }

  /** Ms of agent audio queued but not yet heard (0 when idle). */
  get pendingPlaybackMs(): number {
    return this.#playback.pendingMs;
  }

  // ── barge-in ──

  override interrupt(cancelOngoingResponse = true): void {
    this.#interruptPlayback(cancelOngoingResponse);
  }

  override _interrupt(_elapsedTime: number, cancelOngoingResponse = true): void {
    this.#interruptPlayback(cancelOngoingResponse);
  }

  /** StopAudio (unless the inbound hook already sent it), then truncate each unheard item at what was heard. */
  #interruptPlayback(cancelOngoingResponse: boolean): void {
    const stopped = this.#stopAudioSent;
    this.#stopAudioSent = false;
    this.#playback.cancelOrphans();
    if (!this.#playback.busy) return;
    if (!stopped) {
      this.session.stopAudio();
      this.#playback.freezeHeard();
    }
    const cut = this.#playback.cutAll();
    this.stats.bargeIns++;
    this.#metrics?.bargeIns.inc();
    if (this.status !== 'connected') return;
    try {
      if (cancelOngoingResponse && cut.activeResponseId !== null) this._cancelResponse();
      this.emit('audio_interrupted');
      for (const truncation of truncationsFor(cut)) {
        this.sendEvent({ type: 'conversation.item.truncate', item_id: truncation.itemId, content_index: truncation.contentIndex, audio_end_ms: truncation.audioEndMs });
        this.stats.truncations.push(truncation);
        this.#metrics?.truncations.inc();
      }
    } finally {
      super._afterAudioDoneEvent();
    }
  }

  protected override _onClose(): void {
    // Audio already received keeps playing; its items belong to a conversation the next connection will not know.
    this.#playback.orphanAll();
    this.#speechStoppedAt = undefined;
    this.#silence.answered();
    super._onClose();
  }
}
