// The cluster's session registry in JetStream KV: one key per session (owner node, state, format, participants,
// counts), kept current by the owning node; one heartbeat key per node in a bucket whose entries expire, so a node
// that dies (SIGKILL, lost host) stops looking alive and any other node marks its sessions ended (sweep()).
import type { JetStreamClient, KV } from 'nats';
import type { Logger } from 'pino';
import type { MediaSession, SessionSummary } from '../media/index.js';
import { ClusterError, ClusterErrorCode } from './cluster-error.js';

/** One session as the registry holds it: its summary, plus who owns it. */
export interface RegistryEntry extends SessionSummary {
  /** The node holding the session's socket. */
  node: string;
  /** When the owner last wrote this entry. */
  updatedAt: string;
  /** Set when another node marked the session ended because its owner stopped sending heartbeats. */
  endReason?: string;
}

/** One node's heartbeat value. */
export interface NodeHeartbeat {
  node: string;
  startedAt: string;
  beatAt: string;
  sessions: number;
}

/** What the registry needs. */
export interface SessionRegistryOptions {
  js: JetStreamClient;
  nodeId: string;
  sessionsBucket: string;
  nodesBucket: string;
  heartbeatMs: number;
  nodeTtlMs: number;
  registryMaxAgeMs: number;
  /** This node's live sessions, refreshed in the registry at every heartbeat. */
  liveSessions: () => MediaSession[];
  /** Longest a listing of a bucket's keys may take before it is abandoned with an error. */
  requestTimeoutMs: number;
  logger: Logger;
  now?: () => number;
}

/** A registry key for a session id: characters KV keys do not allow become `=XX`. */
export function registryKeyOf(sessionId: string): string {
  let key = '';
  for (const byte of Buffer.from(sessionId, 'utf8')) {
    const ch = String.fromCharCode(byte);
    key += /[A-Za-z0-9_-]/.test(ch) ? ch : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `s.${key || '='}`;
}

const FINISHED = new Set(['ended', 'failed']);

/** The registry of one node (see the module comment). */
export class SessionRegistry {
  private sessionsKv: KV | undefined;
  private nodesKv: KV | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt: string;
  private readonly writes = new Map<string, Promise<void>>();
  private readonly now: () => number;
  private closed = false;
  private tickRunning = false;
  private lastErrorLogAt = 0;
  /** Plain counters for /metrics. */
  readonly counts = { writes: 0, writeErrors: 0, sweptSessions: 0 };

  constructor(private readonly options: SessionRegistryOptions) {
    this.now = options.now ?? Date.now;
    this.startedAt = new Date(this.now()).toISOString();
  }

  /** Opens (creating when missing) both buckets and writes the first heartbeat. */
  async open(): Promise<void> {
    const o = this.options;
    this.sessionsKv = await o.js.views.kv(o.sessionsBucket, { history: 1, ttl: o.registryMaxAgeMs });
    this.nodesKv = await o.js.views.kv(o.nodesBucket, { history: 1, ttl: o.nodeTtlMs });
    await this.beat();
    this.timer = setInterval(() => void this.tick(), o.heartbeatMs);
    this.timer.unref();
  }

  /** Keep `session`'s entry current: at start, on state and participant changes, at the end. */
  track(session: MediaSession): void {
    const write = () => this.write(session.summary());
    write();
    session.on('state', write).on('participant', write);
    session.once('end', (summary: SessionSummary) => {
      session.off('state', write).off('participant', write);
      this.write(summary);
    });
  }

  /** Every session in the registry; a live session whose owner has no heartbeat is shown ended ('node lost'). */
  async list(): Promise<RegistryEntry[]> {
    const kv = this.kv('sessions');
    const alive = await this.liveNodes();
    const entries: RegistryEntry[] = [];
    for (const key of await this.keysOf(kv, 'sessions')) {
      const entry = await this.read(key);
      if (entry !== undefined) entries.push(this.withLiveness(entry, alive));
    }
    return entries;
  }

  /** One session's entry, with the same liveness rule as list(). */
  async get(sessionId: string): Promise<RegistryEntry | undefined> {
    const entry = await this.read(registryKeyOf(sessionId));
    return entry === undefined ? undefined : this.withLiveness(entry, await this.liveNodes());
  }

  /** Node ids with an unexpired heartbeat. */
  async liveNodes(): Promise<Set<string>> {
    const alive = new Set<string>();
    for (const key of await this.keysOf(this.kv('nodes'), 'nodes')) alive.add(key);
    return alive;
  }

  /** Every key of a bucket, or an error after requestTimeoutMs: on nats-server 2.9 the key listing (an ordered
   *  consumer) can stall for good when a key expires while it runs, and a listing must never hang its caller
   *  (GET /api/sessions, the heartbeat's sweep). A stalled listing is abandoned half-way and started once more on
   *  a fresh consumer, which does not stall the same way. */
  private async keysOf(kv: KV, bucket: string): Promise<string[]> {
    const attemptMs = this.options.requestTimeoutMs / 2;
    for (let attempt = 1; ; attempt++) {
      const iterator = await kv.keys();
      let stalled = false;
      const timer = setTimeout(() => {
        stalled = true;
        iterator.stop();
      }, attemptMs);
      try {
        const keys: string[] = [];
        for await (const key of iterator) keys.push(key);
        if (!stalled) return keys;
      } finally {
        clearTimeout(timer);
      }
      if (attempt === 2) throw new ClusterError(ClusterErrorCode.RegistryUnavailable, `listing the ${bucket} registry took over ${this.options.requestTimeoutMs} ms; try again`);
      this.options.logger.debug({ bucket }, 'nats: a registry key listing stalled; listing again');
    }
  }

  /** Marks ended every unfinished session whose owner has no heartbeat (compare-and-set: one node wins). */
  async sweep(): Promise<number> {
    const kv = this.kv('sessions');
    const alive = await this.liveNodes();
    let swept = 0;
    for (const key of await this.keysOf(kv, 'sessions')) {
      const raw = await kv.get(key);
      if (raw === null || raw.operation !== 'PUT') continue;
      const entry = raw.json<RegistryEntry>();
      if (FINISHED.has(entry.state) || entry.node === this.options.nodeId || alive.has(entry.node)) continue;
      const ended = this.markedLost(entry);
      const won = await kv.update(key, JSON.stringify(ended), raw.revision).then(
        () => true,
        () => false, // another node swept it first, or the owner came back and wrote it
      );
      if (won) swept++;
    }
    this.counts.sweptSessions += swept;
    if (swept > 0) this.options.logger.warn({ swept }, 'nats registry: marked ended the sessions of nodes that stopped sending heartbeats');
    return swept;
  }

  /** Waits for queued writes, removes this node's heartbeat and stops the timer. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    await Promise.allSettled([...this.writes.values()]);
    await this.nodesKv?.delete(this.options.nodeId).catch(() => undefined);
  }

  private kv(which: 'sessions' | 'nodes'): KV {
    const kv = which === 'sessions' ? this.sessionsKv : this.nodesKv;
    if (kv === undefined) throw new ClusterError(ClusterErrorCode.RegistryUnavailable, 'nats registry: used before open(); call listen() on the media server first');
    return kv;
  }

  private async read(key: string): Promise<RegistryEntry | undefined> {
    const raw = await this.kv('sessions').get(key);
    if (raw === null || raw.operation !== 'PUT') return undefined;
    return raw.json<RegistryEntry>();
  }

  private withLiveness(entry: RegistryEntry, alive: Set<string>): RegistryEntry {
    if (FINISHED.has(entry.state) || entry.node === this.options.nodeId || alive.has(entry.node)) return entry;
    return this.markedLost(entry);
  }

  private markedLost(entry: RegistryEntry): RegistryEntry {
    const now = new Date(this.now()).toISOString();
    return { ...entry, state: 'ended', endedAt: entry.endedAt ?? now, updatedAt: now, endReason: `node ${entry.node} stopped sending heartbeats` };
  }

  /** Writes of one session go out one after another, so the last written is the newest. */
  private write(summary: SessionSummary): void {
    if (this.closed || this.sessionsKv === undefined) return;
    const kv = this.sessionsKv;
    const entry: RegistryEntry = { ...summary, node: this.options.nodeId, updatedAt: new Date(this.now()).toISOString() };
    const previous = this.writes.get(summary.id) ?? Promise.resolve();
    const next = previous
      .then(() => kv.put(registryKeyOf(summary.id), JSON.stringify(entry)))
      .then(
        () => void this.counts.writes++,
        (error: unknown) => {
          this.counts.writeErrors++;
          this.logError(error, 'nats registry: could not write a session entry (counted; the next change or heartbeat retries)');
        },
      )
      .finally(() => {
        if (this.writes.get(summary.id) === next) this.writes.delete(summary.id);
      });
    this.writes.set(summary.id, next);
  }

  private async beat(): Promise<void> {
    const value: NodeHeartbeat = {
      node: this.options.nodeId,
      startedAt: this.startedAt,
      beatAt: new Date(this.now()).toISOString(),
      sessions: this.options.liveSessions().length,
    };
    await this.kv('nodes').put(this.options.nodeId, JSON.stringify(value));
  }

  /** Heartbeat, refresh of this node's live sessions (their counts move; their entries must not expire), sweep. */
  private async tick(): Promise<void> {
    if (this.tickRunning || this.closed) return;
    this.tickRunning = true;
    try {
      await this.beat();
      for (const session of this.options.liveSessions()) this.write(session.summary());
      await this.sweep();
    } catch (error) {
      this.logError(error, 'nats registry: heartbeat or sweep failed (retried at the next heartbeat)');
    } finally {
      this.tickRunning = false;
    }
  }

  private logError(error: unknown, message: string): void {
    const now = this.now();
    if (now - this.lastErrorLogAt < 5000) return;
    this.lastErrorLogAt = now;
    this.options.logger.warn({ err: error }, message);
  }
}
