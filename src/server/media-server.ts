// createMediaServer: one HTTP server carrying the WebSocket ingest (/ws), the Call Automation callback webhook,
// Event Grid incoming calls, health, metrics, the sessions API, the live feed and the dashboard.
// The frame path is ingest.ts → media hub; everything here is the edge around it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { pino, type Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { createMediaHub, isMediaError, SafeEmitter, type MediaHub, type MediaHubOptions, type MediaSession, type TypedEvents } from '../media/index.js';
import { AcsAudioError, ErrorCode } from '../errors/index.js';
import { readWav, repairRecordings, toMono } from '../audio/index.js';
import { createCallClient, type StreamingChoice } from '../calls/index.js';
import { createJwtVerifier, type JwtVerifier, type JwtVerifierOptions } from './auth/jwt-verifier.js';
import { CallRegistry, parseCallEvents, type CallEvent, type CallState } from './call-events.js';
import { handleIncomingCall } from './incoming-calls.js';
import { createApiTokenGuard } from './api-token.js';

const API_TOKEN_HINT = 'This server needs its API token: send Authorization: Bearer <token>, or open /?token=<token> once in the browser.';
import { HttpError, readBody, readJson, sendError, sendJson } from './http-io.js';
import { Ingest, type IngestLimits } from './ingest.js';
import { createLiveFeed, type LiveFeed } from './live-feed.js';
import { createServerMetrics, type ServerMetrics } from './metrics.js';
import { createRecordingsApi, type RecordingsApi } from './recordings-api.js';
import { serveStatic } from './static-files.js';
import { JAVASCRIPT_MASKING_ADVICE, webSocketMasking } from './websocket-masking.js';
import { callbackTypeLabel } from './label-values.js';
import { createOriginGuard } from './origin-guard.js';
import { createNatsNode, type NatsNode, type NatsOptions } from '../scale/index.js';

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
  /** Largest HTTP body (WAV uploads, callbacks), in bytes. @default 16 MiB */
  maxBodyBytes?: number;
  /** Ingest limits (sockets, idle timeout, ping). */
  limits?: Partial<IngestLimits>;
  /** Options passed to the media hub (recordingsDir and logger are taken from above). */
  media?: Omit<MediaHubOptions, 'recordingsDir' | 'logger'>;
  /** Serve the live feed on /api/live. @default true */
  liveFeed?: boolean;
  /** Scale-out on NATS JetStream: publish sessions, share the session registry, forward talk-back to the owning
   *  node (docs/scale-out.md). Connects at listen(). @default none (this node alone) */
  nats?: NatsOptions;
  /** Repair WAV headers left by a crash under recordingsDir before listening. @default true */
  repairOnStart?: boolean;
  /** Token for the dashboard, session/recordings API, live feed and metrics (ACS's JWT does not cover them).
   *  Clients send `Authorization: Bearer <token>`; a browser opens `/?token=<token>` once. @default none (open) */
  apiToken?: string;
}

/** A MediaServer's events; a handler that throws is logged and isolated. */
export interface MediaServerEvents {
  /** A new media session (its socket's first metadata). */
  session: MediaSession;
  /** A Call Automation callback event, after it was applied to the call registry. */
  callback: CallEvent;
}

/** A running (or ready to run) media server. */
export interface MediaServer extends TypedEvents<MediaServerEvents> {
  /** Starts listening; resolves with the base URL and the WebSocket ingest URL. */
  listen(): Promise<{ url: string; wsUrl: string }>;
  /** Graceful shutdown: stop accepting, close sockets with 1001, finish every recording. Idempotent. */
  close(): Promise<void>;
  address(): AddressInfo | undefined;
  readonly hub: MediaHub;
  readonly liveFeed: LiveFeed | undefined;
  readonly metrics: ServerMetrics;
  /** This node's NATS presence, when `nats` was given. */
  readonly nats: NatsNode | undefined;
  /** Per-call state from callbacks. */
  calls(): CallState[];
}

const DEFAULT_LIMITS: IngestLimits = { maxConnections: 2000, idleTimeoutMs: 60_000, pingIntervalMs: 30_000 };

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
  if (options.answer?.bidirectional === false && options.answer.startNow === undefined) {
    // fine: nothing contradictory
  }
  if (problems.length > 0) throw new AcsAudioError(ErrorCode.BadOptions, `createMediaServer: ${problems.join('; ')}`);
}

/** Socket error during or after an upgrade: the socket is done. */
function destroySocket(this: Duplex): void {
  this.destroy();
}

function isVerifier(auth: MediaServerOptions['auth']): auth is JwtVerifier {
  return typeof auth === 'object' && typeof (auth as JwtVerifier).verify === 'function';
}

/** Creates the media server. Nothing listens until `listen()`. */
export function createMediaServer(options: MediaServerOptions = {}): MediaServer {
  validate(options);
  const logger = options.logger ?? pino({ level: 'info' }, pino.destination(2));
  const recordingsDir = options.recordingsDir === undefined ? './recordings' : options.recordingsDir;
  const hub = createMediaHub({ ...options.media, recordingsDir, logger });
  const metrics = createServerMetrics(hub);
  const limits: IngestLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const ingest = new Ingest(hub, metrics, limits);
  const maxBody = options.maxBodyBytes ?? 16 * 1024 * 1024;
  // UTF-8 is checked per message by the media layer (rejected as invalid_utf8) instead of ws failing the whole socket.
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes ?? 65536, perMessageDeflate: false, skipUTF8Validation: true });
  const apiGuard = options.apiToken === undefined ? undefined : createApiTokenGuard(options.apiToken);
  const originGuard = createOriginGuard({ host: options.host, publicUrl: options.publicUrl, allowedOrigins: options.allowedOrigins });
  const liveFeed = options.liveFeed === false ? undefined : createLiveFeed({ hub, logger });
  const recordings: RecordingsApi | undefined = recordingsDir ? createRecordingsApi({ root: recordingsDir }) : undefined;
  const verifier: JwtVerifier | undefined =
    options.auth === undefined || options.auth === 'off' ? undefined : isVerifier(options.auth) ? options.auth : createJwtVerifier(options.auth);
  const callClient = options.acsConnectionString ? createCallClient(options.acsConnectionString) : undefined;
  const callRegistry = new CallRegistry();
  // SafeEmitter, not EventEmitter: a throwing app handler is isolated, and `once` really fires once.
  const emitter = new SafeEmitter<MediaServerEvents>(logger, { component: 'media-server' });
  const startedAt = Date.now();
  let baseUrl = options.publicUrl?.replace(/\/$/, '');
  let closing: Promise<void> | undefined;

  hub.on('session', (session) => emitter.emit('session', session));
  // Scale-out (docs/scale-out.md): every session is published and registered; nothing on the frame path waits on NATS.
  const natsNode: NatsNode | undefined = options.nats ? createNatsNode(options.nats, { hub, logger, metricsRegistry: metrics.registry }) : undefined;
  if (natsNode) hub.on('session', (session) => natsNode.attach(session));

  function publicBase(): string {
    return baseUrl ?? 'http://127.0.0.1';
  }
  function wsUrlOf(base: string): string {
    return `${base.replace(/^http/, 'ws')}/ws`;
  }

  async function authorize(req: IncomingMessage, surface: 'ws' | 'callback'): Promise<{ ok: true } | { ok: false; reason: string; detail: string }> {
    if (!verifier) return { ok: true };
    const result = await verifier.verify(req.headers.authorization);
    if (result.ok) return result;
    metrics.authFailures.inc({ surface, reason: result.reason });
    logger.warn({ surface, reason: result.reason, detail: result.detail, remote: req.socket.remoteAddress }, 'refused: bad or missing JWT');
    return result;
  }

  async function onCallbacks(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const auth = await authorize(req, 'callback');
    if (!auth.ok) throw new HttpError(401, 'unauthorized', `Callback refused: ${auth.reason} (${auth.detail}).`);
    const { events, invalid } = parseCallEvents(await readJson(req, maxBody));
    for (const event of events) {
      metrics.callbacks.inc({ type: callbackTypeLabel(event.type) });
      const call = callRegistry.apply(event);
      hub.recordCallEvent({
        type: event.type,
        callConnectionId: event.callConnectionId,
        subscriptionId: call?.subscriptionId,
        data: event.data,
        time: event.time,
      });
      liveFeed?.callEvent({ type: event.type, callConnectionId: event.callConnectionId, data: event.data, time: event.time });
      emitter.emit('callback', event);
    }
    if (events.length === 0) throw new HttpError(400, 'no_events', 'Expected a CloudEvents array of Call Automation events.');
    sendJson(res, 200, { accepted: events.length, invalid });
  }

  function sessionOr404(id: string): MediaSession {
    const session = hub.get(id);
    if (!session) throw new HttpError(404, 'session_not_found', `No session "${id}". GET /api/sessions lists them.`);
    return session;
  }

  async function onPlay(req: IncomingMessage, res: ServerResponse, session: MediaSession): Promise<void> {
    const body = await readBody(req, maxBody);
    let wav;
    try {
      wav = readWav(body);
    } catch (error) {
      throw new HttpError(400, 'bad_wav', `The body is not a WAV file we can play: ${(error as Error).message}`);
    }
    try {
      const handle = session.play({ pcm: toMono(wav.samples, wav.channels), sampleRate: wav.sampleRate });
      sendJson(res, 202, { playId: handle.id, durationMs: Math.round(wav.durationMs) });
    } catch (error) {
      if (isMediaError(error)) throw new HttpError(409, error.code, error.message);
      throw error;
    }
  }

  /** A session another node holds (NATS): GET answers from the registry; play / stop-audio go to the owner. */
  async function routeToOwner(
    nats: NatsNode,
    req: IncomingMessage,
    res: ServerResponse,
    sessionId: string,
    op: 'play' | 'stop-audio' | undefined,
    method: string,
  ): Promise<string> {
    if (op === undefined) {
      if (method !== 'GET') throw new HttpError(405, 'method_not_allowed', 'Use GET for a session.');
      const entry = await nats.remoteSession(sessionId);
      if (!entry) throw new HttpError(404, 'session_not_found', `No session "${sessionId}" on any node. GET /api/sessions lists them.`);
      sendJson(res, 200, entry);
      return 'session';
    }
    if (method !== 'POST') throw new HttpError(405, 'method_not_allowed', `Use POST for ${op}.`);
    const body = op === 'play' ? await readBody(req, maxBody) : new Uint8Array(0);
    const reply = await nats.forward(op, sessionId, body);
    sendJson(res, reply.status, reply.body);
    return `${op}-forwarded`;
  }

  async function route(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<string> {
    const method = req.method ?? 'GET';
    const crossSite = originGuard.check(req, pathname);
    if (crossSite) throw new HttpError(crossSite.status, crossSite.code, crossSite.message);
    if (apiGuard !== undefined && !apiGuard.isOpen(pathname)) {
      if (apiGuard.acceptLogin(req, res)) return 'login';
      if (!apiGuard.allows(req)) throw new HttpError(401, 'api_token_required', API_TOKEN_HINT);
    }
    if (pathname === '/healthz') {
      sendJson(res, 200, { ok: true, sessions: hub.stats().sessionsActive, connections: ingest.size, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) });
      return 'healthz';
    }
    if (pathname === '/metrics') {
      const text = await metrics.render();
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(text);
      return 'metrics';
    }
    if (pathname === '/api/callbacks') {
      if (method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Call Automation posts callbacks with POST.');
      await onCallbacks(req, res);
      return 'callbacks';
    }
    if (pathname === '/api/incoming-call') {
      await handleIncomingCall(req, res, {
        client: callClient,
        callbackUrl: () => `${publicBase()}/api/callbacks`,
        streaming: () => ({ startNow: true, ...options.answer, streamUrl: wsUrlOf(publicBase()) }),
        calls: callRegistry,
        logger,
        bodyLimit: maxBody,
      });
      return 'incoming-call';
    }
    if (pathname === '/api/sessions' && method === 'GET') {
      sendJson(res, 200, natsNode ? await natsNode.clusterSessions() : { sessions: hub.sessions().map((s) => s.summary()) });
      return 'sessions';
    }
    if (pathname === '/api/calls' && method === 'GET') {
      sendJson(res, 200, { calls: callRegistry.list() });
      return 'calls';
    }
    const match = /^\/api\/sessions\/([^/]+)(?:\/(play|stop-audio))?$/.exec(pathname);
    if (match) {
      const sessionId = decodePathSegment(match[1]);
      if (natsNode && !hub.get(sessionId)) return routeToOwner(natsNode, req, res, sessionId, match[2] as 'play' | 'stop-audio' | undefined, method);
      const session = sessionOr404(sessionId);
      if (!match[2] && method === 'GET') {
        sendJson(res, 200, session.summary());
        return 'session';
      }
      if (method !== 'POST') throw new HttpError(405, 'method_not_allowed', `Use POST for ${match[2] ?? 'this route'}.`);
      if (match[2] === 'play') {
        await onPlay(req, res, session);
        return 'play';
      }
      if (match[2] === 'stop-audio') {
        session.stopAudio();
        sendJson(res, 202, { stopped: true });
        return 'stop-audio';
      }
    }
    if (recordings && pathname.startsWith('/api/recordings') && (await recordings.handle(req, res))) return 'recordings';
    if (method === 'GET' && (await serveStatic(pathname, res))) return 'static';
    throw new HttpError(404, 'not_found', `Nothing at ${method} ${pathname}.`);
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    let label = 'other';
    try {
      label = await route(req, res, pathname);
    } catch (error) {
      if (!(error instanceof HttpError)) logger.error({ err: error, path: pathname }, 'request failed');
      sendError(res, error);
    } finally {
      metrics.httpRequests.inc({ route: label, status: String(res.statusCode) });
    }
  }

  function refuse(socket: Duplex, status: number, reason: string, message: string): void {
    metrics.wsRefused.inc({ reason });
    const body = JSON.stringify({ error: { code: reason, message } });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }

  async function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // A named function, not an arrow: an arrow here would share this scope, whose upgrade callback holds `req`, and
    // keep every socket's IncomingMessage alive for the socket's life (about 1 KB per idle connection).
    socket.on('error', destroySocket);
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (closing) return refuse(socket, 503, 'shutting_down', 'The server is shutting down.');
    if (pathname === '/api/live' && liveFeed) {
      const crossSite = originGuard.check(req, pathname);
      if (crossSite) return refuse(socket, crossSite.status, crossSite.code, crossSite.message);
      if (apiGuard !== undefined && !apiGuard.allows(req)) return refuse(socket, 401, 'api_token_required', API_TOKEN_HINT);
      return liveFeed.handleUpgrade(req, socket, head);
    }
    if (pathname !== '/ws') return refuse(socket, 404, 'not_found', `WebSocket path ${pathname} does not exist; ACS must connect to /ws.`);
    const auth = await authorize(req, 'ws');
    if (!auth.ok) return refuse(socket, 401, 'unauthorized', `${auth.reason}: ${auth.detail}`);
    if (!ingest.hasRoom()) {
      metrics.limitClosures.inc({ limit: 'max_connections' });
      return refuse(socket, 503, 'too_many_connections', `This server holds ${limits.maxConnections} sockets already.`);
    }
    wss.handleUpgrade(req, socket, head, (ws) => ingest.accept(ws, req));
  }

  const http: Server = createServer((req, res) => void onRequest(req, res));
  http.on('upgrade', (req, socket, head) => void onUpgrade(req, socket, head));

  const server = Object.assign(emitter, {
    hub,
    liveFeed,
    metrics,
    nats: natsNode,
    calls: () => callRegistry.list(),
    address: () => (http.address() as AddressInfo | null) ?? undefined,
    async listen() {
      if (recordingsDir && options.repairOnStart !== false) {
        const report = await repairRecordings(recordingsDir).catch((error: NodeJS.ErrnoException) => {
          // A folder that does not exist yet (the first start) holds nothing to repair; it is made at the first call.
          const missing = error.code === 'ENOENT' || (error.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
          if (!missing) logger.error({ err: error }, 'could not check recordings for crash damage');
          return undefined;
        });
        if (report && (report.repaired.length > 0 || report.failed.length > 0)) {
          logger.warn(
            { checked: report.checked, healthy: report.healthy, repaired: report.repaired.length, failed: report.failed.length },
            'repaired recordings left by an earlier crash',
          );
        } else if (report && report.checked > 0) {
          logger.info({ checked: report.checked, healthy: report.healthy }, 'recordings checked for crash damage: all healthy');
        }
      }
      await natsNode?.start();
      try {
        await new Promise<void>((resolve, reject) => {
          http.once('error', reject);
          http.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => {
            http.off('error', reject);
            resolve();
          });
        });
      } catch (error) {
        // The port is taken (or similar): leave nothing connected that would keep the process alive.
        await natsNode?.close().catch(() => undefined);
        throw error;
      }
      const { port } = http.address() as AddressInfo;
      const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
      baseUrl ??= url;
      const wsUrl = wsUrlOf(url);
      const websocketMasking = webSocketMasking();
      logger.info(
        { ws: wsUrl, callbacks: `${url}/api/callbacks`, incomingCall: `${url}/api/incoming-call`, dashboard: `${url}/`, metrics: `${url}/metrics`, auth: verifier ? 'jwt' : 'off', websocketMasking },
        `acs-audio media server listening: ingest ${wsUrl}, dashboard ${url}/`,
      );
      if (websocketMasking === 'javascript') logger.warn(JAVASCRIPT_MASKING_ADVICE);
      return { url, wsUrl };
    },
    close() {
      closing ??= (async () => {
        http.close();
        await ingest.closeAll();
        await liveFeed?.close();
        await hub.close();
        await natsNode?.close();
        http.closeAllConnections();
        logger.info('media server closed; every recording finished');
      })();
      return closing;
    },
  });
  return server as unknown as MediaServer;
}

/** A percent-decoded path segment; malformed encoding (`%E0%A4%A`) is the client's mistake, a 400, not a 500. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'bad_path', `The path segment "${segment.slice(0, 100)}" has malformed percent-encoding: encode it with encodeURIComponent.`);
  }
}
