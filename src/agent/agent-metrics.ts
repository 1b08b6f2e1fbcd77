// Prometheus metrics of the voice-agent bridge, on a registry the caller passes (the server's, usually), named like
// src/server/metrics.ts (acs_audio_ prefix, seconds, _total counters). Per-call figures live on each call's stats.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The bridge's metrics; every agent call of a host shares one set. */
export interface AgentMetrics {
  sessionsActive: Gauge;
  modelConnects: Counter;
  modelFailures: Counter<'reason'>;
  modelReconnects: Counter;
  turns: Counter;
  bargeIns: Counter;
  truncations: Counter;
  /** Caller stopped speaking (speech_stopped) → first agent frame handed to ACS. */
  turnLatency: Histogram;
  /** The bridge's own share, by hop: `audio_out` (model audio delta received → AudioData written),
   *  `stop_audio` (speech_started received → StopAudio written). */
  bridgeLatency: Histogram<'hop'>;
}

/** Registers the agent metrics on `registry`. Call once per registry. */
export function createAgentMetrics(registry: Registry): AgentMetrics {
  const prefix = 'acs_audio_agent_';
  const registers = [registry];
  return {
    sessionsActive: new Gauge({ name: prefix + 'sessions_active', help: 'Calls with a voice agent attached', registers }),
    modelConnects: new Counter({ name: prefix + 'model_connects_total', help: 'Realtime model connections opened', registers }),
    modelFailures: new Counter({
      name: prefix + 'model_failures_total',
      help: 'Realtime model connections lost or refused, by reason (closed, refused, silent)',
      labelNames: ['reason'],
      registers,
    }),
    modelReconnects: new Counter({ name: prefix + 'model_reconnects_total', help: 'Realtime model connections restored after a failure', registers }),
    turns: new Counter({ name: prefix + 'turns_total', help: 'Caller turns the model answered (speech_stopped)', registers }),
    bargeIns: new Counter({ name: prefix + 'barge_ins_total', help: 'Times the caller spoke over the agent (StopAudio sent)', registers }),
    truncations: new Counter({ name: prefix + 'truncations_total', help: 'conversation.item.truncate events sent', registers }),
    turnLatency: new Histogram({
      name: prefix + 'turn_latency_seconds',
      help: 'Caller stopped speaking (speech_stopped) to the first agent frame sent to ACS',
      buckets: [0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5],
      registers,
    }),
    bridgeLatency: new Histogram({
      name: prefix + 'bridge_latency_seconds',
      help: "The bridge's own share: model audio received to AudioData written (audio_out), speech_started received to StopAudio written (stop_audio)",
      labelNames: ['hop'],
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025],
      registers,
    }),
  };
}
