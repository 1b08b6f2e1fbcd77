// One worker process of `serve --workers`: its media server takes the connections the primary hands over (the primary
// owns the port), and answers for the whole server through the other workers: the sessions API lists every worker's
// sessions and forwards talk-back to the worker holding the session (SessionPeers, as NATS nodes do across hosts),
// and /metrics sums every worker's registry. The other workers are asked through the primary (ipc.ts).
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import type { MediaHub, MediaSession } from '../../media/index.js';
import type { ControlOp, ControlReply } from '../../cluster/index.js';
import type { CallEvent } from '../call-events.js';
import type { ServerMetrics } from '../metrics.js';
import { answerForwarded, type SessionPeers } from '../session-routes.js';
import { isPrimaryMessage, type MetricsSnapshot, type PeerReply, type PeerRequest, type WorkerMessage, type WorkerSessionSummary } from './ipc.js';

/** The IPC channel to the primary (the worker's `process`). */
export interface WorkerChannel {
  send(message: WorkerMessage): void;
  /** Every message from the primary, with the handle (a socket) sent along, if any. */
  onMessage(listener: (message: unknown, handle: unknown) => void): void;
}

/** What the link needs of its media server (given by the server at construction). */
export interface WorkerServerSide {
  hub: MediaHub;
  metrics: ServerMetrics;
  /** Serves a connection accepted by the primary, as if this server had accepted it. */
  serveConnection(socket: Socket): void;
  /** Applies a callback event another worker received (not counted again in this worker's metrics). */
  applyCallEvent(event: CallEvent): void;
}

/** A worker's side of `serve --workers`: the media server's `worker` option. */
export interface WorkerLink extends SessionPeers {
  /** This worker's slot (0 … n-1); a restarted worker takes the slot of the one it replaces. */
  readonly slot: number;
  /** The server's URL (the primary's listening address). */
  readonly url: string;
  /** Called by the media server it belongs to, once. */
  attach(server: WorkerServerSide): void;
  /** /metrics for the whole server: every worker's figures summed, plus each worker's event-loop utilization. */
  metrics(): Promise<{ contentType: string; text: string }>;
  /** Tells the primary this worker takes connections. */
  ready(): void;
  /** Callback events this worker received, for every other worker to apply (not awaited). */
  shareCallEvents(events: CallEvent[]): void;
}

/** What a worker link needs. */
export interface WorkerLinkOptions {
  slot: number;
  url: string;
  channel: WorkerChannel;
  logger: Logger;
  /** Longest wait for the other workers' answers (the primary waits as long for each). @default 5000 */
  askTimeoutMs?: number;
  pid?: number;
}

const ELU = 'acs_audio_event_loop_utilization';

function failure(status: number, code: string, message: string): ControlReply {
  return { status, body: { error: { code, message } } };
}

/** Creates the link of this worker process to the primary and, through it, to the other workers. */
export function createWorkerLink(options: WorkerLinkOptions): WorkerLink {
  const { slot, url, channel, logger } = options;
  const pid = options.pid ?? process.pid;
  const askTimeoutMs = options.askTimeoutMs ?? 5000;
  const waiting = new Map<number, (replies: PeerReply[]) => void>();
  let nextAsk = 1;
  let server: WorkerServerSide | undefined;

  const summaryOf = (session: MediaSession): WorkerSessionSummary => ({ ...session.summary(), worker: slot, pid });

  async function snapshot(): Promise<MetricsSnapshot> {
    return { worker: slot, pid, metrics: server ? await server.metrics.snapshot() : [] };
  }

  /** This worker's answer to another worker's question. */
  async function answer(request: PeerRequest): Promise<PeerReply> {
    const hub = server?.hub;
    if (hub === undefined) return null;
    switch (request.op) {
      case 'sessions':
        return hub.sessions().map(summaryOf);
      case 'session': {
        const session = hub.get(request.sessionId);
        return session ? summaryOf(session) : null;
      }
      case 'control':
        if (!hub.get(request.sessionId)) return null;
        return answerForwarded(hub)(request.control, request.sessionId, Buffer.from(request.body, 'base64'));
      case 'metrics':
        return snapshot();
      case 'callbacks':
        for (const event of request.events) server?.applyCallEvent(event);
        return null;
    }
  }

  /** Every other worker's answer (those that answered in time). */
  function ask(request: PeerRequest): Promise<PeerReply[]> {
    const id = nextAsk++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        logger.warn({ op: request.op, worker: slot }, 'workers: no answer from the primary in time; answering for this worker only');
        resolve([]);
      }, askTimeoutMs + 1000);
      timer.unref();
      waiting.set(id, (replies) => {
        clearTimeout(timer);
        resolve(replies);
      });
      channel.send({ kind: 'ask', id, request });
    });
  }

  channel.onMessage((message, handle) => {
    if (!isPrimaryMessage(message)) return;
    if (message.kind === 'connection') {
      const socket = handle as Socket | undefined;
      if (!socket || !server) return socket?.destroy();
      // What the primary read to choose this worker goes back in front of the stream: the HTTP parser sees it first.
      if (message.head.length > 0) socket.unshift(Buffer.from(message.head, 'base64'));
      server.serveConnection(socket);
    } else if (message.kind === 'question') {
      const { id, request } = message;
      answer(request).then(
        (reply) => channel.send({ kind: 'answer', id, reply }),
        (error: unknown) => {
          logger.error({ err: error, op: request.op }, 'workers: could not answer another worker');
          channel.send({ kind: 'answer', id, reply: null });
        },
      );
    } else {
      waiting.get(message.id)?.(message.replies);
      waiting.delete(message.id);
    }
  });

  return {
    slot,
    url,
    attach(side) {
      server = side;
      // The primary repairs the recordings of a worker that dies: it needs each live session's folder.
      side.hub.on('session', (session) => {
        const note = (ended: boolean) => channel.send({ kind: 'recording', sessionId: session.id, dir: session.summary().recordingDir, ended });
        note(false);
        session.once('end', () => note(true));
      });
    },
    ready() {
      channel.send({ kind: 'ready' });
    },
    shareCallEvents(events) {
      void ask({ op: 'callbacks', events });
    },
    async clusterSessions() {
      const local = server ? server.hub.sessions().map(summaryOf) : [];
      const others = (await ask({ op: 'sessions' })).flatMap((reply) => (Array.isArray(reply) ? reply : []));
      const sessions = [...local, ...others].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
      return { sessions };
    },
    async remoteSession(sessionId) {
      const replies = await ask({ op: 'session', sessionId });
      return replies.find((reply): reply is WorkerSessionSummary => reply !== null && !Array.isArray(reply) && 'id' in reply);
    },
    async forward(op: ControlOp, sessionId, body) {
      const replies = await ask({ op: 'control', control: op, sessionId, body: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64') });
      const reply = replies.find((r): r is ControlReply => r !== null && !Array.isArray(r) && 'status' in r);
      return reply ?? failure(404, 'session_not_found', `No session "${sessionId}" on any worker. GET /api/sessions lists them.`);
    },
    async metrics() {
      const own = await snapshot();
      const others = (await ask({ op: 'metrics' })).filter((r): r is MetricsSnapshot => r !== null && !Array.isArray(r) && 'metrics' in r);
      const all = [own, ...others].sort((a, b) => a.worker - b.worker);
      const registry = AggregatorRegistry.aggregate(all.map((s) => s.metrics));
      return { contentType: registry.contentType, text: (await registry.metrics()) + perWorkerLines(all) };
    },
  };
}

/** Each worker's event-loop utilization and pid: how evenly the calls load the processes. */
function perWorkerLines(snapshots: MetricsSnapshot[]): string {
  const lines = [
    '# HELP acs_audio_worker_event_loop_utilization Share of time each worker\'s event loop was busy since the last scrape (0-1)',
    '# TYPE acs_audio_worker_event_loop_utilization gauge',
  ];
  for (const s of snapshots) {
    const value = s.metrics.find((m) => m.name === ELU)?.values[0]?.value ?? 0;
    lines.push(`acs_audio_worker_event_loop_utilization{worker="${s.worker}",pid="${s.pid}"} ${value}`);
  }
  lines.push('# HELP acs_audio_workers Worker processes that answered this scrape', '# TYPE acs_audio_workers gauge', `acs_audio_workers ${snapshots.length}`);
  return `${lines.join('\n')}\n`;
}
