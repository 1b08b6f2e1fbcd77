// The dashboard's live feed on `/api/live`: one WebSocket per dashboard carrying downsampled levels and events,
// pushed on a timer (never per frame) and never raw audio unless a dashboard asks to listen to one track.
// Ingest stays fast: per frame the feed does arithmetic on plain numbers; slow dashboards are skipped, then dropped.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { MediaHub, MediaSession } from '../media/index.js';
import { withDefaults } from '../errors/index.js';
import { SessionWatch, type TrackListener } from './live-feed-session.js';
import type { LiveCallEvent, LiveEvent, LiveListenRequest, LiveSnapshot, LiveTick } from './live-feed-messages.js';

export type * from './live-feed-messages.js';

/** Options for the live feed; everything but the hub has a default. */
export interface LiveFeedOptions {
  /** The media hub whose sessions are shown. */
  hub: MediaHub;
  /** How often levels and events are pushed, in ms. @default 100 */
  tickMs?: number;
  /** A dashboard with more than this many bytes queued is skipped for the tick (and resynced later). @default 1048576 (1 MiB) */
  maxBufferedBytes?: number;
  /** A dashboard skipped this many ticks in a row is disconnected. @default 100 (10 s at the default tick) */
  maxSkippedTicks?: number;
  /** Dashboards at once; more are refused with close code 1013. @default 32 */
  maxClients?: number;
  /** A frame louder than this (and not marked silent) counts as speech. @default -50 */
  speakingThresholdDbfs?: number;
  /** Final transcript lines kept per session for late dashboards. @default 200 */
  maxTranscriptLines?: number;
  /** Callback events kept for late dashboards. @default 500 */
  maxCallEvents?: number;
  /** Ended sessions kept for late dashboards. @default 50 */
  keepEndedSessions?: number;
  /** Clock (epoch ms). @default Date.now */
  now?: () => number;
  logger?: Logger;
}

/** Every default of createLiveFeed with a value (the TSDoc `@default` of each field says the same; a test checks). */
export const LIVE_FEED_DEFAULTS = {
  tickMs: 100,
  maxBufferedBytes: 1024 * 1024,
  maxSkippedTicks: 100,
  maxClients: 32,
  speakingThresholdDbfs: -50,
  maxTranscriptLines: 200,
  maxCallEvents: 500,
  keepEndedSessions: 50,
} as const satisfies Partial<LiveFeedOptions>;

/** A callback event as the server receives it (the fields the feed uses). */
export interface LiveFeedCallEvent {
  type: string;
  callConnectionId?: string;
  data?: unknown;
  time?: string;
}

/** Counters for tests, metrics and benchmarks. */
export interface LiveFeedStats {
  clients: number;
  ticks: number;
  messagesSent: number;
  skipped: number;
  droppedSlowClients: number;
  listenFramesSent: number;
  listenFramesDropped: number;
  /** Sessions the feed holds (live ones plus at most `keepEndedSessions` ended ones). */
  sessionsFollowed: number;
}

/** The live feed: hand it `/api/live` upgrades and callback events. */
export interface LiveFeed {
  /** Completes the WebSocket upgrade of a `/api/live` request. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Puts a Call Automation callback event on the dashboards' timeline. */
  callEvent(event: LiveFeedCallEvent): void;
  stats(): LiveFeedStats;
  /** Disconnects every dashboard and stops following sessions. Idempotent. */
  close(): Promise<void>;
}

interface Client {
  ws: WebSocket;
  needsSnapshot: boolean;
  skippedInARow: number;
  listening: { watch: SessionWatch; listener: TrackListener; trackId: string } | undefined;
}

/** Creates the live feed for a media hub. */
export function createLiveFeed(given: LiveFeedOptions): LiveFeed {
  const options = withDefaults(LIVE_FEED_DEFAULTS, given);
  const hub = options.hub;
  const { tickMs, maxClients, maxTranscriptLines, maxCallEvents } = options;
  const maxBuffered = options.maxBufferedBytes;
  const maxSkipped = options.maxSkippedTicks;
  const speakingDbfs = options.speakingThresholdDbfs;
  const keepEnded = options.keepEndedSessions;
  const now = options.now ?? Date.now;
  const logger = options.logger;

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false });
  const clients = new Set<Client>();
  const watches = new Map<string, SessionWatch>();
  const callEvents: LiveCallEvent[] = [];
  let pending: LiveEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const stats = { ticks: 0, messagesSent: 0, skipped: 0, droppedSlowClients: 0, listenFramesSent: 0, listenFramesDropped: 0 };

  const sink = {
    event(event: LiveEvent): void {
      // With nobody watching, the state kept for snapshots is enough.
      if (clients.size > 0) pending.push(event);
    },
    get metering(): boolean {
      return clients.size > 0;
    },
    ended(): void {
      forgetOldSessions();
    },
  };

  function watch(session: MediaSession): void {
    if (closed || watches.has(session.id)) return;
    watches.set(session.id, new SessionWatch(session, sink, { speakingDbfs, maxTranscriptLines }));
    sink.event({ type: 'session', session: session.summary() });
    forgetOldSessions();
  }

  function forgetOldSessions(): void {
    let ended = 0;
    for (const w of watches.values()) if (w.ended) ended++;
    for (const [id, w] of watches) {
      if (ended <= keepEnded) break;
      if (!w.ended) continue;
      w.detach();
      watches.delete(id);
      ended--;
    }
  }

  for (const session of hub.sessions()) watch(session);
  hub.on('session', watch);

  function snapshot(): string {
    const message: LiveSnapshot = {
      type: 'snapshot',
      t: now(),
      sessions: [...watches.values()].map((w) => ({
        session: w.session.summary(),
        participants: [...w.meters.values()].map((m) => ({ trackId: m.trackId, participantRawId: m.participantRawId })),
        transcript: w.transcriptLines(),
        dtmf: w.dtmf,
      })),
      calls: callEvents,
    };
    return JSON.stringify(message);
  }

  function tick(): void {
    stats.ticks++;
    const tickMessage: LiveTick = { type: 'tick', t: now(), levels: [], events: pending };
    pending = [];
    for (const w of watches.values()) {
      const levels = w.levels();
      if (levels !== null) tickMessage.levels.push(levels);
    }
    if (tickMessage.levels.length === 0 && tickMessage.events.length === 0) return;
    const text = JSON.stringify(tickMessage);
    for (const client of clients) push(client, text);
  }

  function push(client: Client, text: string): void {
    if (client.ws.bufferedAmount > maxBuffered) {
      stats.skipped++;
      client.needsSnapshot = true;
      if (++client.skippedInARow > maxSkipped) {
        stats.droppedSlowClients++;
        logger?.warn({ skipped: client.skippedInARow }, 'live feed: dropping a dashboard that does not keep up');
        client.ws.terminate();
      }
      return;
    }
    client.skippedInARow = 0;
    if (client.needsSnapshot) {
      client.needsSnapshot = false;
      client.ws.send(snapshot());
    } else {
      client.ws.send(text);
    }
    stats.messagesSent++;
  }

  function listen(client: Client, request: LiveListenRequest): void {
    stopListening(client);
    const w = request.sessionId === undefined ? undefined : watches.get(request.sessionId);
    const meter = w === undefined || request.trackId === undefined ? undefined : w.meters.get(request.trackId);
    if (w === undefined || meter === undefined) {
      client.ws.send(JSON.stringify({ type: 'listening', sessionId: undefined, trackId: undefined, sampleRate: undefined }));
      return;
    }
    const ws = client.ws;
    const listener: TrackListener = {
      pcm(samples) {
        if (ws.bufferedAmount > maxBuffered) {
          stats.listenFramesDropped++;
          return;
        }
        // ws may keep the buffer until written; the frame's memory is only ours during the event: copy.
        ws.send(Buffer.from(samples.buffer.slice(samples.byteOffset, samples.byteOffset + samples.byteLength)), { binary: true });
        stats.listenFramesSent++;
      },
    };
    meter.listeners = [...meter.listeners, listener];
    client.listening = { watch: w, listener, trackId: meter.trackId };
    ws.send(JSON.stringify({ type: 'listening', sessionId: w.session.id, trackId: meter.trackId, sampleRate: w.session.sampleRate }));
  }

  function stopListening(client: Client): void {
    const l = client.listening;
    if (l === undefined) return;
    const meter = l.watch.meters.get(l.trackId);
    if (meter !== undefined) meter.listeners = meter.listeners.filter((x) => x !== l.listener);
    client.listening = undefined;
  }

  function onMessage(client: Client, data: Buffer, isBinary: boolean): void {
    if (isBinary) return;
    let request: unknown;
    try {
      request = JSON.parse(data.toString('utf8'));
    } catch {
      return;
    }
    if (typeof request === 'object' && request !== null && (request as { type?: unknown }).type === 'listen') {
      listen(client, request as LiveListenRequest);
    }
  }

  function connected(ws: WebSocket): void {
    if (closed || clients.size >= maxClients) {
      ws.close(1013, closed ? 'live feed closed' : `live feed full (${maxClients} dashboards); try again later`);
      return;
    }
    const client: Client = { ws, needsSnapshot: false, skippedInARow: 0, listening: undefined };
    // Levels left from the last time a dashboard watched are stale: the first tick measures from now.
    if (clients.size === 0) for (const w of watches.values()) w.resetLevels();
    clients.add(client);
    ws.send(snapshot());
    ws.on('message', (data: Buffer, isBinary: boolean) => onMessage(client, data, isBinary));
    ws.on('close', () => {
      stopListening(client);
      clients.delete(client);
      if (clients.size === 0 && timer !== undefined) {
        clearInterval(timer);
        timer = undefined;
        pending = [];
      }
    });
    ws.on('error', (err) => logger?.debug({ err }, 'live feed: dashboard socket error'));
    if (timer === undefined) timer = setInterval(tick, tickMs);
  }

  return {
    handleUpgrade(req, socket, head) {
      wss.handleUpgrade(req, socket, head, connected);
    },
    callEvent(event) {
      if (closed) return;
      const live = toLiveCallEvent(event, now());
      callEvents.push(live);
      if (callEvents.length > maxCallEvents) callEvents.shift();
      sink.event({ type: 'call', event: live });
    },
    stats: () => ({ clients: clients.size, ...stats, sessionsFollowed: watches.size }),
    async close() {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      for (const client of clients) client.ws.close(1001, 'server shutting down');
      for (const w of watches.values()) w.detach();
      watches.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** Trims a callback event to its type, call and outcome (docs/protocol.md §5). */
function toLiveCallEvent(event: LiveFeedCallEvent, nowMs: number): LiveCallEvent {
  const data = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as Record<string, unknown>;
  const parts: string[] = [];
  const result = data.resultInformation as { code?: unknown; subCode?: unknown; message?: unknown } | undefined;
  if (result !== undefined && result !== null) {
    parts.push(`${String(result.code ?? '')}/${String(result.subCode ?? '')}`);
    if (typeof result.message === 'string') parts.push(result.message);
  }
  const streaming = data.mediaStreamingUpdate as { mediaStreamingStatus?: unknown; mediaStreamingStatusDetails?: unknown } | undefined;
  if (streaming !== undefined && streaming !== null) {
    parts.push(`${String(streaming.mediaStreamingStatus ?? '')} ${String(streaming.mediaStreamingStatusDetails ?? '')}`.trim());
  }
  const callConnectionId = event.callConnectionId ?? (typeof data.callConnectionId === 'string' ? data.callConnectionId : undefined);
  return {
    type: event.type.replace(/^Microsoft\.Communication\./, ''),
    callConnectionId,
    time: event.time ?? new Date(nowMs).toISOString(),
    detail: parts.join(' · '),
  };
}
