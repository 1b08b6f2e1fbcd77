// Prometheus metrics for one server: a Registry of its own (never the global default), filled from the hub's plain
// counters at scrape time so the frame path only ever increments numbers.
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { MediaHub } from '../media/index.js';

/** The server's metrics and the counters its edges increment. */
export interface ServerMetrics {
  readonly registry: Registry;
  httpRequests: Counter<'route' | 'status'>;
  wsConnections: Counter<'path'>;
  wsRefused: Counter<'reason'>;
  callbacks: Counter<'type'>;
  authFailures: Counter<'surface' | 'reason'>;
  limitClosures: Counter<'limit'>;
  /** Prometheus text for GET /metrics. */
  render(): Promise<string>;
  /** The same figures as JSON, for prom-client's AggregatorRegistry (`serve --workers` sums its workers'). */
  snapshot(): Promise<Array<MetricObjectWithValues<MetricValue<string>>>>;
}

/** A gauge on `registry` that reads a plain number at scrape time (how every part exposes its counters). */
export function registerReadGauge(registry: Registry, name: string, help: string, read: () => number): Gauge {
  return new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
}

/** Creates the metrics of one server, reading the media hub's counters at scrape time. */
export function createServerMetrics(hub: MediaHub): ServerMetrics {
  const registry = new Registry();
  const prefix = 'acs_audio_';
  const gauge = (name: string, help: string, read: () => number) => registerReadGauge(registry, prefix + name, help, read);

  gauge('sessions_active', 'Media sessions currently open', () => hub.stats().sessionsActive);
  gauge('sessions_total', 'Media sessions since start', () => hub.stats().sessionsTotal);
  gauge('bytes_received_total', 'WebSocket payload bytes received', () => hub.stats().bytesReceived);
  gauge('gaps_filled_total', 'Missing frames filled with silence', () => hub.stats().gapsFilled);
  gauge('duplicate_frames_total', 'Duplicate frames dropped', () => hub.stats().duplicates);
  gauge('late_frames_total', 'Late frames put in place', () => hub.stats().lateFrames);
  gauge('recording_dropped_frames_total', 'Frames missing from recordings: the recording queue was full, or the disk failed', () => hub.stats().recordingDroppedFrames);
  gauge('recording_files_open', 'Recording files (WAVs) open now, each a file descriptor (against --max-recording-files)', () => hub.stats().recordingFilesOpen);
  gauge('recording_queue_bytes', 'Bytes waiting to be written to recordings', () => hub.stats().recordingQueueBytes);
  gauge('talkback_frames_total', 'Outbound (talk-back) frames sent', () => hub.stats().talkBackFrames);
  gauge('talkback_skipped_frames_total', 'Talk-back frames not sent: live frames while ACS held talkBackLiveLeadMs, playStream frames over maxQueuedMs', () => hub.stats().talkBackSkipped);
  gauge('talkback_played_total', 'Talk-back playbacks that played out to their end (by the pacing model)', () => hub.stats().talkBackPlayed);
  gauge('talkback_cut_total', 'Talk-back playbacks cut by stopAudio, cancel, a lost socket or the session end', () => hub.stats().talkBackCut);

  new Gauge({
    name: prefix + 'frames_total',
    help: 'Packets received, by kind',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      for (const [kind, count] of Object.entries(hub.stats().framesByKind)) this.set({ kind }, count);
    },
  });
  new Gauge({
    name: prefix + 'recording_failures_total',
    help: 'Failed recording file operations, by reason (disk_full, read_only, permission, folder_missing, io)',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      for (const [reason, count] of Object.entries(hub.stats().recordingFailures)) this.set({ reason }, count);
    },
  });
  new Gauge({
    name: prefix + 'messages_total',
    help: 'WebSocket messages received, by outcome (received = accepted + rejected)',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const m = hub.stats().messages;
      this.set({ outcome: 'received' }, m.received);
      this.set({ outcome: 'accepted' }, m.accepted);
      this.set({ outcome: 'rejected' }, m.rejected);
    },
  });
  new Gauge({
    name: prefix + 'rejected_packets_total',
    help: 'Packets rejected, by reason',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      for (const [reason, count] of Object.entries(hub.stats().rejectsByReason)) this.set({ reason }, count);
    },
  });
  new Gauge({
    name: prefix + 'timeline_discontinuities_total',
    help: 'Points where a session timeline did not follow the frames\' clock, by kind (gap: too long to fill, skipped; reanchor: moved to a run of frames off it)',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      for (const [kind, count] of Object.entries(hub.stats().timelineDiscontinuities)) this.set({ kind }, count);
    },
  });
  // How busy the main thread was since the last scrape. Every frame is handled on it, so this is the server's
  // headroom: near 1, frames are read in long batches, and timers (talk-back, flushes) and new calls' handshakes wait
  // their turn: at 500 calls × 2 on the bench machine a handshake then waits seconds (README.md, "Sizing").
  let lastUtilization: EventLoopUtilization = performance.eventLoopUtilization();
  new Gauge({
    name: prefix + 'event_loop_utilization',
    help: 'Share of time the event loop was busy since the last scrape (0-1); near 1 the server is at its capacity',
    registers: [registry],
    // Across `serve --workers`, the busiest worker's: the server is at its capacity when one worker is.
    aggregator: 'max',
    collect() {
      const now = performance.eventLoopUtilization();
      this.set(performance.eventLoopUtilization(now, lastUtilization).utilization);
      lastUtilization = now;
    },
  });
  const writeLatency = new Histogram({
    name: prefix + 'recording_write_seconds',
    help: 'Time to flush queued recording data to disk',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });

  // Ingest increments limitClosures itself; the media layer's closures (participants, frame rate) are plain hub
  // counters, added to the same metric at scrape time.
  const limitClosures = new Counter({ name: prefix + 'limit_closures_total', help: 'Connections closed by a limit', labelNames: ['limit'], registers: [registry] });
  const seenHubClosures: Record<string, number> = {};
  const addHubClosures = (): void => {
    for (const [limit, count] of Object.entries(hub.stats().limitClosures)) {
      const delta = count - (seenHubClosures[limit] ?? 0);
      if (delta > 0) limitClosures.inc({ limit }, delta);
      seenHubClosures[limit] = count;
    }
  };

  const beforeScrape = (): void => {
    addHubClosures();
    for (const ms of hub.stats().drainWriteLatenciesMs()) writeLatency.observe(ms / 1000);
  };

  return {
    registry,
    httpRequests: new Counter({ name: prefix + 'http_requests_total', help: 'HTTP requests', labelNames: ['route', 'status'], registers: [registry] }),
    wsConnections: new Counter({ name: prefix + 'ws_connections_total', help: 'WebSocket connections accepted', labelNames: ['path'], registers: [registry] }),
    wsRefused: new Counter({ name: prefix + 'ws_refused_total', help: 'WebSocket upgrades refused', labelNames: ['reason'], registers: [registry] }),
    callbacks: new Counter({ name: prefix + 'callbacks_total', help: 'Call Automation callback events', labelNames: ['type'], registers: [registry] }),
    authFailures: new Counter({ name: prefix + 'auth_failures_total', help: 'Requests refused by JWT auth', labelNames: ['surface', 'reason'], registers: [registry] }),
    limitClosures,
    async render() {
      beforeScrape();
      return registry.metrics();
    },
    async snapshot() {
      beforeScrape();
      return registry.getMetricsAsJSON();
    },
  };
}
