// Options of a media server node on NATS JetStream, with their defaults and the checks that name bad fields.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { withDefaults } from '../errors/index.js';
import { ClusterError, ClusterErrorCode } from './cluster-error.js';

/** How a media server node uses NATS JetStream (MediaServerOptions.nats). Every field but `url` has a default. */
export interface NatsOptions {
  /** NATS server URL(s), comma-separated (`nats://host:4222`), or a connection the caller owns (not closed by us). */
  url: string | NatsConnection;
  /** This node's id in the registry and on its control subject. @default `<hostname>-<6 hex>` */
  nodeId?: string;
  /** First token(s) of every subject. @default 'acs' */
  subjectPrefix?: string;
  /** JetStream stream holding every session's audio, events, transcripts and DTMF. @default 'ACS_AUDIO' */
  streamName?: string;
  /** Publish audio frames; false publishes events, transcripts and DTMF only. @default true */
  publishAudio?: boolean;
  /** Stream retention: messages older than this are removed. 0 keeps them until maxBytes. @default 3600000 (1 hour) */
  maxAgeMs?: number;
  /** Stream retention: oldest messages are removed past this many bytes. -1 = unlimited. @default 1073741824 (1 GiB) */
  maxBytes?: number;
  /** Messages waiting to be published; past it new ones are dropped and counted. @default 20000 (≈ 2.5 min of 3 tracks) */
  maxQueue?: number;
  /** Publishes awaiting their JetStream ack at once. @default 256 */
  maxInFlight?: number;
  /** KV bucket of the session registry. @default 'acs-sessions' */
  sessionsBucket?: string;
  /** KV bucket of node heartbeats (entries expire after nodeTtlMs). @default 'acs-nodes' */
  nodesBucket?: string;
  /** How often this node refreshes its heartbeat and its live sessions' registry entries. @default 2000 */
  heartbeatMs?: number;
  /** A node whose heartbeat is older than this is gone; its sessions are marked ended. @default 3 × heartbeatMs */
  nodeTtlMs?: number;
  /** How long registry entries of ended sessions are kept. @default 86400000 (24 hours) */
  registryMaxAgeMs?: number;
  /** Forwarded play / stop-audio requests wait this long for the owning node. @default 5000 */
  requestTimeoutMs?: number;
  /** Connecting at listen() gives up after this long. @default 5000 */
  connectTimeoutMs?: number;
}

/** Every default of NatsOptions with a value (nodeId and nodeTtlMs are derived); the TSDoc `@default` of each field
 *  says the same, and a test checks. */
export const NATS_DEFAULTS = {
  subjectPrefix: 'acs',
  streamName: 'ACS_AUDIO',
  publishAudio: true,
  maxAgeMs: 60 * 60 * 1000,
  maxBytes: 1024 * 1024 * 1024,
  maxQueue: 20_000,
  maxInFlight: 256,
  sessionsBucket: 'acs-sessions',
  nodesBucket: 'acs-nodes',
  heartbeatMs: 2000,
  registryMaxAgeMs: 24 * 60 * 60 * 1000,
  requestTimeoutMs: 5000,
  connectTimeoutMs: 5000,
} as const satisfies Partial<NatsOptions>;

/** NatsOptions with every default filled in. */
export type ResolvedNatsOptions = Required<Omit<NatsOptions, 'url'>> & { url: string | NatsConnection };

/** A default node id: readable (the host) and distinct (a restarted node is a new node). */
export function defaultNodeId(): string {
  const host = hostname().replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 40) || 'node';
  return `${host}-${randomBytes(3).toString('hex')}`;
}

/** Fills defaults and checks values; throws one error naming every bad field. */
export function resolveNatsOptions(options: NatsOptions): ResolvedNatsOptions {
  const merged = withDefaults(NATS_DEFAULTS, options);
  const resolved: ResolvedNatsOptions = { ...merged, nodeId: merged.nodeId ?? defaultNodeId(), nodeTtlMs: merged.nodeTtlMs ?? 3 * merged.heartbeatMs };
  const problems: string[] = [];
  if (typeof resolved.url === 'string' && !/^(nats|tls|ws|wss):\/\/|^[^:/]+:\d+/.test(resolved.url.split(',')[0].trim())) {
    problems.push(`nats.url must look like nats://host:4222 (got "${resolved.url}")`);
  }
  if (!/^[A-Za-z0-9_-]+$/.test(resolved.nodeId)) problems.push(`nats.nodeId may hold letters, digits, _ and - only (got "${resolved.nodeId}")`);
  if (!/^[A-Za-z0-9_-]+$/.test(resolved.streamName)) problems.push(`nats.streamName may hold letters, digits, _ and - only (got "${resolved.streamName}")`);
  for (const field of ['sessionsBucket', 'nodesBucket'] as const) {
    if (!/^[A-Za-z0-9_-]+$/.test(resolved[field])) problems.push(`nats.${field} may hold letters, digits, _ and - only (got "${resolved[field]}")`);
  }
  const positive = ['maxQueue', 'maxInFlight', 'heartbeatMs', 'nodeTtlMs', 'registryMaxAgeMs', 'requestTimeoutMs', 'connectTimeoutMs'] as const;
  for (const field of positive) {
    if (!(Number.isInteger(resolved[field]) && resolved[field] > 0)) problems.push(`nats.${field} must be a positive whole number (got ${resolved[field]})`);
  }
  if (!(Number.isInteger(resolved.maxAgeMs) && resolved.maxAgeMs >= 0)) problems.push(`nats.maxAgeMs must be 0 or more (got ${resolved.maxAgeMs})`);
  if (!(Number.isInteger(resolved.maxBytes) && (resolved.maxBytes === -1 || resolved.maxBytes > 0))) {
    problems.push(`nats.maxBytes must be -1 (unlimited) or positive (got ${resolved.maxBytes})`);
  }
  if (resolved.nodeTtlMs <= resolved.heartbeatMs) {
    problems.push(`nats.nodeTtlMs (${resolved.nodeTtlMs}) must be longer than nats.heartbeatMs (${resolved.heartbeatMs}), or live nodes look dead`);
  }
  if (problems.length > 0) throw new ClusterError(ClusterErrorCode.BadOptions, `createMediaServer: ${problems.join('; ')}`);
  return resolved;
}
