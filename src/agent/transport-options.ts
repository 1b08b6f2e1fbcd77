// What AcsRealtimeTransportLayer takes, checked at construction (a clear RangeError there, not a failure mid-call),
// and the audio format every session config it sends carries: pcm16 at 24 kHz both ways, so ACS's pcm24KMono needs
// no resampling (docs/voice-agents.md §Audio).
import type { OpenAIRealtimeWebSocketOptions, RealtimeSessionConfig } from '@openai/agents-realtime';
import type { MediaSession } from '../media/index.js';
import { AgentError } from './agent-error.js';
import type { AgentMetrics } from './agent-metrics.js';
import { MODEL_RATE } from './caller-audio.js';

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

/** The bridge's own settings, defaults applied. */
export interface TransportSettings {
  maxQueuedMs: number;
  silenceTimeoutMs: number | null;
  transcripts: boolean;
}

/** Node's timers take at most this many ms (a longer one fires at once). */
const MAX_TIMER_MS = 2_147_483_647;

/** Checks the options the bridge itself uses; throws AgentError / RangeError naming the field. */
export function transportSettings(options: AcsRealtimeTransportOptions): TransportSettings {
  if (!options.session || typeof options.session.on !== 'function') {
    throw new AgentError('ERR_AGENT_BAD_OPTIONS', 'AcsRealtimeTransportLayer: `session` must be a MediaSession (the media server\'s "session" event).');
  }
  const maxQueuedMs = options.maxQueuedMs ?? 120_000;
  if (!(maxQueuedMs >= 100)) throw new RangeError(`maxQueuedMs must be at least 100 (got ${maxQueuedMs}).`);
  const silence = options.silenceTimeoutMs === undefined ? 10_000 : options.silenceTimeoutMs;
  if (silence !== null && !(silence > 0 && silence <= MAX_TIMER_MS)) {
    throw new RangeError(`silenceTimeoutMs must be a positive number of ms no greater than ${MAX_TIMER_MS}, or null (got ${silence}).`);
  }
  return { maxQueuedMs, silenceTimeoutMs: silence, transcripts: options.transcripts ?? true };
}

/** `config` with pcm16 24 kHz input and output unless it names a format itself (GA `audio.*.format` or preview
 *  `inputAudioFormat`/`outputAudioFormat`). */
export function withPcm24(config: Partial<RealtimeSessionConfig> | undefined): Partial<RealtimeSessionConfig> {
  const pcm = { type: 'audio/pcm', rate: MODEL_RATE } as const;
  const c = (config ?? {}) as Partial<RealtimeSessionConfig> & { audio?: { input?: Record<string, unknown>; output?: Record<string, unknown> } };
  if ('inputAudioFormat' in c || 'outputAudioFormat' in c) return c;
  return { ...c, audio: { ...c.audio, input: { ...c.audio?.input, format: c.audio?.input?.format ?? pcm }, output: { ...c.audio?.output, format: c.audio?.output?.format ?? pcm } } } as Partial<RealtimeSessionConfig>;
}
