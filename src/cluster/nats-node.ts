// A media server node on NATS JetStream: connects at listen(), publishes every session (nats-publisher.ts), keeps
// the cluster's session registry (session-registry.ts) and answers / forwards talk-back (remote-control.ts).
// The media server calls it; nothing on the frame path waits for it.
import { connect, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { MediaHub, MediaSession, SessionSummary } from '../media/index.js';
import { registerNatsMetrics } from './nats-metrics.js';
import { resolveNatsOptions, type NatsOptions, type ResolvedNatsOptions } from './nats-options.js';
import { NatsPublisher, type PublisherStats } from './nats-publisher.js';
import { RemoteControl, type ControlOp, type ControlReply, type PerformControl } from './remote-control.js';
import { SessionRegistry, type RegistryEntry } from './session-registry.js';
import { ensureStream } from './stream-setup.js';
import { createSubjects } from './subjects.js';
import { ClusterError, ClusterErrorCode } from './cluster-error.js';

/** A session as GET /api/sessions lists it across the cluster: the local shape plus the owning node. */
export type ClusterSessionSummary = SessionSummary & { node: string; endReason?: string };

/** What createNatsNode needs from the media server. */
export interface NatsNodeDeps {
  hub: MediaHub;
  logger: Logger;
  /** The server's metrics registry: the NATS figures are added to it. */
  metricsRegistry: Registry;
  /** Runs play / stop-audio that another node forwarded here (the media server's session routes). */
  perform: PerformControl;
}

/** One media server's presence on NATS. */
export interface NatsNode {
  readonly nodeId: string;
  readonly options: ResolvedNatsOptions;
  /** Connect, create or update the stream, open the registry, answer control requests. */
  start(): Promise<void>;
  /** Publish and register a new session (the hub's 'session' event). */
  attach(session: MediaSession): void;
  /** This node's sessions and every other node's from the registry. */
  clusterSessions(): Promise<{ sessions: ClusterSessionSummary[]; error?: string }>;
  /** A session held by another node, from the registry. */
  remoteSession(sessionId: string): Promise<ClusterSessionSummary | undefined>;
  /** play / stop-audio on another node's session. */
  forward(op: ControlOp, sessionId: string, body: Uint8Array): Promise<ControlReply>;
  stats(): PublisherStats;
  /** After the hub closed: publish what is queued (bounded wait), mark this node gone, disconnect. Idempotent. */
  close(): Promise<void>;
}

/** How long close() waits for a clean NATS goodbye (publish queue, registry, drain) before dropping the connection. */
const CLOSE_TIMEOUT_MS = 5000;

/** Creates a node; nothing connects until start(). Throws at once on bad options. */
export function createNatsNode(natsOptions: NatsOptions, deps: NatsNodeDeps): NatsNode {
  const options = resolveNatsOptions(natsOptions);
  const { hub, logger } = deps;
  const nodeId = options.nodeId;
  const subjects = createSubjects(options.subjectPrefix);
  const log = logger.child({ component: 'nats', node: nodeId });
  let nc: NatsConnection | undefined;
  let publisher: NatsPublisher | undefined;
  let registry: SessionRegistry | undefined;
  let control: RemoteControl | undefined;
  let closing: Promise<void> | undefined;
  const ownsConnection = typeof options.url === 'string';
  const liveSessions = () => hub.sessions().filter((s) => s.state !== 'ended' && s.state !== 'failed');

  registerNatsMetrics(deps.metricsRegistry, {
    publisher: () => publisher?.stats() ?? emptyStats(),
    registry: () => registry?.counts ?? { writes: 0, writeErrors: 0, sweptSessions: 0 },
    control: () => control?.counts ?? { served: 0, forwarded: 0, forwardFailures: 0 },
  });

  async function connectOrExplain(): Promise<NatsConnection> {
    if (typeof options.url !== 'string') return options.url;
    const servers = options.url.split(',').map((s) => s.trim());
    try {
      return await connect({ servers, name: `acs-audio ${nodeId}`, timeout: options.connectTimeoutMs, maxReconnectAttempts: -1, reconnectTimeWait: 1000 });
    } catch (error) {
      throw new ClusterError(
        ClusterErrorCode.ConnectFailed,
        `nats: could not connect to ${options.url} (${(error as Error).message}). Start a NATS server with JetStream (nats-server -js) there, or leave out --nats / ACS_AUDIO_NATS.`,
        { cause: error },
      );
    }
  }

  function watchConnection(connection: NatsConnection): void {
    void (async () => {
      for await (const status of connection.status()) {
        if (status.type === 'disconnect') {
          publisher?.setConnected(false);
          log.warn({ server: status.data }, 'nats: disconnected; publishing pauses (queue fills, then drops) while it reconnects');
        } else if (status.type === 'reconnect') {
          publisher?.setConnected(true);
          log.info({ server: status.data }, 'nats: reconnected; publishing resumes');
        }
      }
    })().catch(() => undefined);
  }

  async function setUp(connection: NatsConnection): Promise<void> {
    let jsm;
    try {
      jsm = await connection.jetstreamManager();
    } catch (error) {
      throw new ClusterError(ClusterErrorCode.NoJetStream, `nats: ${connection.getServer()} has no JetStream (${(error as Error).message}). Start nats-server with -js.`, { cause: error });
    }
    await ensureStream(jsm, { name: options.streamName, subjects: subjects.streamSubjects(), maxAgeMs: options.maxAgeMs, maxBytes: options.maxBytes });
    const js = connection.jetstream();
    publisher = new NatsPublisher({ js, nc: connection, subjects, nodeId, publishAudio: options.publishAudio, maxQueue: options.maxQueue, maxInFlight: options.maxInFlight, logger: log });
    registry = new SessionRegistry({ ...options, js, liveSessions, logger: log });
    await registry.open();
    control = new RemoteControl({ nc: connection, perform: deps.perform, registry, subjects, nodeId, requestTimeoutMs: options.requestTimeoutMs, logger: log });
    control.start();
    watchConnection(connection);
    log.info({ server: connection.getServer(), stream: options.streamName, audio: options.publishAudio }, `nats: node ${nodeId} publishing to stream ${options.streamName}`);
  }

  const node: NatsNode = {
    nodeId,
    options,
    async start() {
      const connection = await connectOrExplain();
      nc = connection;
      try {
        await setUp(connection);
      } catch (error) {
        if (ownsConnection) await connection.close().catch(() => undefined);
        throw error;
      }
    },
    attach(session) {
      publisher?.attach(session);
      registry?.track(session);
    },
    async clusterSessions() {
      const local: ClusterSessionSummary[] = hub.sessions().map((s) => ({ ...s.summary(), node: nodeId }));
      if (registry === undefined) return { sessions: local };
      try {
        const others = (await registry.list()).filter((e) => e.node !== nodeId);
        return { sessions: [...local, ...others.map(withoutBookkeeping)] };
      } catch (error) {
        log.warn({ err: error }, 'nats: could not read the session registry; listing this node only');
        return { sessions: local, error: `the cluster registry could not be read (${(error as Error).message}); only this node's sessions are listed` };
      }
    },
    async remoteSession(sessionId) {
      const entry = await registry?.get(sessionId);
      return entry === undefined ? undefined : withoutBookkeeping(entry);
    },
    async forward(op, sessionId, body) {
      if (control === undefined) return { status: 503, body: { error: { code: 'nats_not_started', message: 'NATS is not connected yet.' } } };
      return control.forward(op, sessionId, body);
    },
    stats: () => publisher?.stats() ?? emptyStats(),
    close() {
      closing ??= (async () => {
        const graceful = (async () => {
          await publisher?.drain(3000);
          publisher?.close();
          await control?.close();
          await registry?.close();
          if (nc !== undefined && ownsConnection) await nc.drain().catch(() => nc?.close());
        })().catch((error: unknown) => log.warn({ err: error }, 'nats: closing cleanly failed'));
        // With NATS unreachable the registry writes and the drain wait for a reconnect that may never come: a node
        // shutting down must not hang on them. Its sessions are then marked ended by the other nodes' sweep.
        let timer: NodeJS.Timeout | undefined;
        const gaveUp = await Promise.race([
          graceful.then(() => false),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), CLOSE_TIMEOUT_MS))),
        ]);
        clearTimeout(timer);
        if (gaveUp) {
          log.warn({ timeoutMs: CLOSE_TIMEOUT_MS }, 'nats: not closed cleanly in time (NATS unreachable?); dropping the connection');
          publisher?.close();
          // Not awaited: while reconnecting, the client's close() may never settle (nothing left to wait on).
          if (nc !== undefined && ownsConnection) nc.close().catch(() => undefined);
        }
      })();
      return closing;
    },
  };
  return node;
}

function withoutBookkeeping(entry: RegistryEntry): ClusterSessionSummary {
  const { updatedAt: _updatedAt, ...summary } = entry;
  return summary;
}

function emptyStats(): PublisherStats {
  const zero = () => ({ queued: 0, published: 0, acked: 0, dropped: 0, errors: 0 });
  return { byKind: { audio: zero(), event: zero(), transcript: zero(), dtmf: zero() }, queueLength: 0, inFlight: 0, connected: false };
}
