// createMediaServer's options: what each means and its default, and the check that refuses contradictory or
// out-of-range values at construction, naming every field.
import type { Logger } from 'pino';
import { AcsAudioError, ErrorCode, withDefaults } from '../errors/index.js';
import type { MediaHubOptions } from '../media/index.js';
import type { StreamingChoice } from '../calls/index.js';
import type { NatsOptions } from '../cluster/index.js';
import type { BlobRecordingsOptions } from '../recordings-storage/index.js';
import type { JwtVerifier, JwtVerifierOptions } from './auth/jwt-verifier.js';
import type { IngestLimits } from './ingest.js';
import type { WorkerLink } from './workers/worker.js';

/** Options for createMediaServer; every field has a default. */
export interface MediaServerOptions {
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port; 0 picks a free one. @default 8080 */
  port?: number;
  /** Recordings folder; null records nothing. @default './recordings' */
  recordingsDir?: string | null;
  /** pino logger. @default pino at level info, to stderr */
  logger?: Logger;
  /** Public base URL ACS reaches this server at (https://...), used for callback and stream URLs when answering.
   *  @default the listening address */
  publicUrl?: string;
  /** Origins besides the server's own allowed to use the dashboard API and live feed. @default none */
  allowedOrigins?: string[];
  /** ACS connection string: enables answering incoming calls through the official SDK. @default none */
  acsConnectionString?: string;
  /** How incoming calls are answered. @default mixed, pcm16k, not bidirectional, start at once */
  answer?: Omit<StreamingChoice, 'streamUrl'>;
  /** JWT verification of WebSocket upgrades and callbacks: 'off', options, or a ready verifier. @default 'off' */
  auth?: 'off' | JwtVerifierOptions | JwtVerifier;
  /** Largest WebSocket message accepted, in bytes (closed with 1009 above it). @default 65536 */
  maxPayloadBytes?: number;
  /** Largest HTTP body (WAV uploads, callbacks), in bytes. @default 16777216 (16 MiB) */
  maxBodyBytes?: number;
  /** Ingest limits (sockets, idle timeout, ping); each field has its default (IngestLimits). */
  limits?: Partial<IngestLimits>;
  /** Options passed to the media hub (recordingsDir and logger are taken from above). */
  media?: Omit<MediaHubOptions, 'recordingsDir' | 'logger'>;
  /** Serve the live feed on /api/live. @default true */
  liveFeed?: boolean;
  /** Scale-out on NATS JetStream: publish sessions, share the session registry, forward talk-back to the owning
   *  node (docs/scale-out.md). Connects at listen(). @default none (this node alone) */
  nats?: NatsOptions;
  /** Upload every finished session to Azure Blob Storage: `recordingsDir` is then the spool, where sessions are
   *  recorded and kept until uploaded and verified (docs/blob-recordings.md). The first drain of what an earlier run
   *  left runs at listen(); close() waits up to `closeTimeoutMs` for uploads in flight. @default none (local folder only) */
  blob?: Omit<BlobRecordingsOptions, 'spoolDir' | 'logger' | 'registry'>;
  /** Repair WAV headers left by a crash under recordingsDir before listening. @default true */
  repairOnStart?: boolean;
  /** Token for the dashboard, session/recordings API, live feed and metrics (ACS's JWT does not cover them).
   *  Clients send `Authorization: Bearer <token>`; a browser opens `/?token=<token>` once. @default none (open) */
  apiToken?: string;
  /** Set in each worker process of `acs-audio serve --workers` (README.md, "Every core"): the primary owns the port and
   *  hands connections over, so listen() opens none; the sessions API and /metrics answer for every worker.
   *  @default none (this process alone) */
  worker?: WorkerLink;
}

/** Every default of createMediaServer with a value (the TSDoc `@default` of each field says the same; a test checks). */
export const MEDIA_SERVER_DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  recordingsDir: './recordings',
  auth: 'off',
  maxPayloadBytes: 65_536,
  maxBodyBytes: 16 * 1024 * 1024,
  limits: { maxConnections: 2000, idleTimeoutMs: 60_000, pingIntervalMs: 30_000 } satisfies IngestLimits,
  liveFeed: true,
  repairOnStart: true,
} as const satisfies MediaServerOptions;

/** MediaServerOptions with every default filled in. */
export type ResolvedMediaServerOptions = Omit<MediaServerOptions, keyof typeof MEDIA_SERVER_DEFAULTS> & {
  host: string;
  port: number;
  recordingsDir: string | null;
  auth: NonNullable<MediaServerOptions['auth']>;
  maxPayloadBytes: number;
  maxBodyBytes: number;
  limits: IngestLimits;
  liveFeed: boolean;
  repairOnStart: boolean;
};

/** The options with the defaults spread under them (a field given as undefined takes its default); validated first. */
export function resolveMediaServerOptions(options: MediaServerOptions): ResolvedMediaServerOptions {
  validate(options);
  const resolved = withDefaults(MEDIA_SERVER_DEFAULTS, options);
  return { ...resolved, limits: withDefaults(MEDIA_SERVER_DEFAULTS.limits, options.limits ?? {}) };
}

/** Throws AcsAudioError (ERR_BAD_OPTIONS) naming every bad option. */
function validate(options: MediaServerOptions): void {
  const problems: string[] = [];
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)) {
    problems.push(`port must be 0-65535 (got ${options.port})`);
  }
  if (options.publicUrl !== undefined && !/^https?:\/\//.test(options.publicUrl)) {
    problems.push(`publicUrl must start with http:// or https:// (got "${options.publicUrl}")`);
  }
  if (options.maxPayloadBytes !== undefined && !(options.maxPayloadBytes >= 1024)) {
    problems.push(`maxPayloadBytes must be at least 1024 (got ${options.maxPayloadBytes})`);
  }
  if (options.blob !== undefined && options.recordingsDir === null) {
    problems.push('blob needs a recordingsDir to spool sessions in until they are uploaded (got recordingsDir: null)');
  }
  if (options.worker !== undefined && options.nats !== undefined) {
    problems.push('worker (serve --workers) and nats cannot be combined: run one process per node with nats');
  }
  if (problems.length > 0) throw new AcsAudioError(ErrorCode.BadOptions, `createMediaServer: ${problems.join('; ')}`);
}

