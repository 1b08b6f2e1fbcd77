// createMediaServer: one HTTP server carrying the WebSocket ingest (/ws), the Call Automation callback webhook,
// Event Grid incoming calls, health, metrics, the sessions API, the live feed and the dashboard.
// The frame path is ingest.ts → media hub; everything here is the edge around it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { pino, type Logger } from 'pino';
import { createMediaHub, SafeEmitter, type MediaHub, type MediaSession, type TypedEvents } from '../media/index.js';
import { createCallClient } from '../calls/index.js';
import { createNatsNode, type NatsNode } from '../cluster/index.js';
import { createBlobRecordingsUploader, type BlobRecordingsUploader } from '../recordings-storage/index.js';
import { createJwtVerifier, type JwtVerifier } from './auth/jwt-verifier.js';
import { CallRegistry, parseCallEvents, type CallEvent, type CallState } from './call-events.js';
import { handleIncomingCall } from './incoming-calls.js';
import { createApiTokenGuard, type ApiTokenGuard } from './api-token.js';
import { HttpError, readJson, sendError, sendJson } from './http-io.js';
import { Ingest } from './ingest.js';
import { createLiveFeed, type LiveFeed } from './live-feed.js';
import { resolveMediaServerOptions, type MediaServerOptions, type ResolvedMediaServerOptions } from './media-server-options.js';
import { createServerMetrics, type ServerMetrics } from './metrics.js';
import { createRecordingsApi, type RecordingsApi } from './recordings-api.js';
import { repairOnStart } from './repair-on-start.js';
import { answerForwarded, createSessionRoutes, type SessionRoutes } from './session-routes.js';
import { serveStatic } from './static-files.js';
import { JAVASCRIPT_MASKING_ADVICE, webSocketMasking } from './websocket-masking.js';
import { callbackTypeLabel } from './label-values.js';
import { createOriginGuard } from './origin-guard.js';

const API_TOKEN_HINT = 'This server needs its API token: send Authorization: Bearer <token>, or open /?token=<token> once in the browser.';

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
  /** The uploader of finished sessions to Blob Storage, when `blob` was given. */
  readonly blob: BlobRecordingsUploader | undefined;
  /** Per-call state from callbacks. */
  calls(): CallState[];
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
  return new HttpMediaServer(resolveMediaServerOptions(options));
}

/** The media server: its parts, built at construction; sockets and NATS connect at listen(). SafeEmitter, not
 *  EventEmitter: a throwing app handler is isolated, and `once` really fires once. */
class HttpMediaServer extends SafeEmitter<MediaServerEvents> implements MediaServer {
  readonly hub: MediaHub;
  readonly liveFeed: LiveFeed | undefined;
  readonly metrics: ServerMetrics;
  readonly nats: NatsNode | undefined;
  readonly blob: BlobRecordingsUploader | undefined;
  private readonly options: ResolvedMediaServerOptions;
  private readonly log: Logger;
  private readonly recordingsDir: string | null;
  private readonly maxBody: number;
  private readonly ingest: Ingest;
  private readonly verifier: JwtVerifier | undefined;
  private readonly apiGuard: ApiTokenGuard | undefined;
  private readonly originGuard: ReturnType<typeof createOriginGuard>;
  private readonly recordings: RecordingsApi | undefined;
  private readonly sessionRoutes: SessionRoutes;
  private readonly callClient: ReturnType<typeof createCallClient> | undefined;
  private readonly callRegistry = new CallRegistry();
  private readonly startedAt = Date.now();
  private readonly http: Server;
  private baseUrl: string | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: ResolvedMediaServerOptions) {
    const logger = options.logger ?? pino({ level: 'info' }, pino.destination(2));
    super(logger, { component: 'media-server' });
    this.options = options;
    this.log = logger;
    this.recordingsDir = options.recordingsDir;
    this.maxBody = options.maxBodyBytes;
    const hub = createMediaHub({ ...options.media, recordingsDir: this.recordingsDir, logger });
    this.hub = hub;
    this.metrics = createServerMetrics(hub);
    this.verifier = options.auth === 'off' ? undefined : isVerifier(options.auth) ? options.auth : createJwtVerifier(options.auth);
    this.ingest = new Ingest({
      hub,
      metrics: this.metrics,
      limits: options.limits,
      logger,
      verifier: this.verifier,
      maxPayloadBytes: options.maxPayloadBytes,
    });
    this.apiGuard = options.apiToken === undefined ? undefined : createApiTokenGuard(options.apiToken);
    this.originGuard = createOriginGuard({ host: options.host, publicUrl: options.publicUrl, allowedOrigins: options.allowedOrigins });
    this.liveFeed = !options.liveFeed ? undefined : createLiveFeed({ hub, logger });
    this.recordings = this.recordingsDir ? createRecordingsApi({ root: this.recordingsDir }) : undefined;
    this.callClient = options.acsConnectionString ? createCallClient(options.acsConnectionString) : undefined;
    this.baseUrl = options.publicUrl?.replace(/\/$/, '');

    hub.on('session', (session) => this.emit('session', session));
    // Scale-out (docs/scale-out.md): every session is published and registered; nothing on the frame path waits on NATS.
    const nats = options.nats ? createNatsNode(options.nats, { hub, logger, metricsRegistry: this.metrics.registry, perform: answerForwarded(hub) }) : undefined;
    if (nats) hub.on('session', (session) => nats.attach(session));
    this.nats = nats;
    // Blob Storage (docs/blob-recordings.md): each session's folder is uploaded after it ends; recordingsDir is the spool.
    const spoolDir = this.recordingsDir;
    this.blob = options.blob && spoolDir ? createBlobRecordingsUploader({ ...options.blob, spoolDir, logger, registry: this.metrics.registry }) : undefined;
    this.blob?.attach(hub);
    this.sessionRoutes = createSessionRoutes({ hub, peers: nats ?? options.worker, maxBodyBytes: this.maxBody });
    // serve --workers: the primary accepts the sockets and hands each to one worker's HTTP server.
    options.worker?.attach({ hub, metrics: this.metrics, serveConnection: (socket) => this.http.emit('connection', socket), applyCallEvent: (event) => this.applyCallEvent(event) });

    this.http = createServer((req, res) => void this.onRequest(req, res));
    this.http.on('upgrade', (req, socket, head) => void this.onUpgrade(req, socket, head));
  }

  /** Per-call state from callbacks. */
  calls(): CallState[] {
    return this.callRegistry.list();
  }

  address(): AddressInfo | undefined {
    return (this.http.address() as AddressInfo | null) ?? undefined;
  }

  async listen(): Promise<{ url: string; wsUrl: string }> {
    if (this.recordingsDir && this.options.repairOnStart) await repairOnStart(this.recordingsDir, this.log);
    await this.nats?.start();
    if (this.options.worker) return this.listening(this.options.worker.url);
    try {
      await new Promise<void>((resolve, reject) => {
        this.http.once('error', reject);
        this.http.listen(this.options.port, this.options.host, () => {
          this.http.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      // The port is taken (or similar): leave nothing connected that would keep the process alive.
      await this.nats?.close().catch(() => undefined);
      throw error;
    }
    const { port } = this.http.address() as AddressInfo;
    const { host: configured } = this.options;
    const host = configured && configured !== '0.0.0.0' && configured !== '::' ? configured : '127.0.0.1';
    return this.listening(`http://${host.includes(':') ? `[${host}]` : host}:${port}`);
  }

  /** Listening (or, as a worker, taking the primary's connections) at `url`: logged, then the spool drained. */
  private async listening(url: string): Promise<{ url: string; wsUrl: string }> {
    this.baseUrl ??= url;
    const wsUrl = wsUrlOf(url);
    const websocketMasking = webSocketMasking();
    this.log.info(
      { ws: wsUrl, callbacks: `${url}/api/callbacks`, incomingCall: `${url}/api/incoming-call`, dashboard: `${url}/`, metrics: `${url}/metrics`, auth: this.verifier ? 'jwt' : 'off', websocketMasking },
      `acs-audio media server listening: ingest ${wsUrl}, dashboard ${url}/`,
    );
    if (websocketMasking === 'javascript') this.log.warn(JAVASCRIPT_MASKING_ADVICE);
    if (this.blob) await this.drainSpool(this.blob);
    return { url, wsUrl };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.http.close();
      await this.ingest.closeAll();
      await this.liveFeed?.close();
      await this.hub.close();
      await this.nats?.close();
      // After the hub: ending the sessions queued their uploads; what does not finish in time stays in the spool.
      const left = await this.blob?.close();
      if (left && left.leftInSpool > 0) this.log.warn({ leftInSpool: left.leftInSpool, spool: this.recordingsDir }, 'sessions left in the spool; they upload at the next start');
      this.http.closeAllConnections();
      this.log.info('media server closed; every recording finished');
    })();
    return this.closing;
  }

  /** After listening (the spool's WAVs are repaired by then): upload what an earlier run left, then every drainIntervalMs. */
  private async drainSpool(blob: BlobRecordingsUploader): Promise<void> {
    try {
      const drained = await blob.start();
      this.log.info({ container: this.options.blob?.container, spool: this.recordingsDir, ...drained }, 'uploading finished sessions to Blob Storage');
    } catch (error) {
      // The spool cannot be read: leave nothing listening.
      await this.close().catch(() => undefined);
      throw error;
    }
  }

  private publicBase(): string {
    return this.baseUrl ?? 'http://127.0.0.1';
  }

  private async onCallbacks(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const auth = await this.ingest.authorize(req, 'callback');
    if (!auth.ok) throw new HttpError(401, 'unauthorized', `Callback refused: ${auth.reason} (${auth.detail}).`);
    const { events, invalid } = parseCallEvents(await readJson(req, this.maxBody));
    for (const event of events) {
      this.metrics.callbacks.inc({ type: callbackTypeLabel(event.type) });
      this.applyCallEvent(event);
    }
    // serve --workers: the call's session may be on another worker; every worker applies every callback.
    if (events.length > 0) this.options.worker?.shareCallEvents(events);
    if (events.length === 0) throw new HttpError(400, 'no_events', 'Expected a CloudEvents array of Call Automation events.');
    sendJson(res, 200, { accepted: events.length, invalid });
  }

  /** A callback event, applied to the call registry, the call's session, the live feed and the app's listeners. */
  private applyCallEvent(event: CallEvent): void {
    const call = this.callRegistry.apply(event);
    this.hub.recordCallEvent({ type: event.type, callConnectionId: event.callConnectionId, subscriptionId: call?.subscriptionId, data: event.data, time: event.time });
    this.liveFeed?.callEvent({ type: event.type, callConnectionId: event.callConnectionId, data: event.data, time: event.time });
    this.emit('callback', event);
  }

  /** Dispatches one HTTP request; resolves with its label for acs_audio_http_requests_total. */
  private async route(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<string> {
    const method = req.method ?? 'GET';
    const crossSite = this.originGuard.check(req, pathname);
    if (crossSite) throw new HttpError(crossSite.status, crossSite.code, crossSite.message);
    if (this.apiGuard !== undefined && !this.apiGuard.isOpen(pathname)) {
      if (this.apiGuard.acceptLogin(req, res)) return 'login';
      if (!this.apiGuard.allows(req)) throw new HttpError(401, 'api_token_required', API_TOKEN_HINT);
    }
    if (pathname === '/healthz') {
      const uptimeSeconds = Math.round((Date.now() - this.startedAt) / 1000);
      sendJson(res, 200, { ok: true, sessions: this.hub.stats().sessionsActive, connections: this.ingest.size, uptimeSeconds });
      return 'healthz';
    }
    if (pathname === '/metrics') {
      const { contentType, text } = this.options.worker ? await this.options.worker.metrics() : { contentType: this.metrics.registry.contentType, text: await this.metrics.render() };
      res.writeHead(200, { 'content-type': contentType });
      res.end(text);
      return 'metrics';
    }
    if (pathname === '/api/callbacks') {
      if (method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Call Automation posts callbacks with POST.');
      await this.onCallbacks(req, res);
      return 'callbacks';
    }
    if (pathname === '/api/incoming-call') {
      await handleIncomingCall(req, res, {
        client: this.callClient,
        callbackUrl: () => `${this.publicBase()}/api/callbacks`,
        streaming: () => ({ startNow: true, ...this.options.answer, streamUrl: wsUrlOf(this.publicBase()) }),
        calls: this.callRegistry,
        logger: this.log,
        bodyLimit: this.maxBody,
      });
      return 'incoming-call';
    }
    if (pathname === '/api/calls' && method === 'GET') {
      sendJson(res, 200, { calls: this.callRegistry.list() });
      return 'calls';
    }
    const sessionRoute = await this.sessionRoutes(req, res, pathname);
    if (sessionRoute !== undefined) return sessionRoute;
    if (this.recordings && pathname.startsWith('/api/recordings') && (await this.recordings.handle(req, res))) return 'recordings';
    if (method === 'GET' && (await serveStatic(pathname, res))) return 'static';
    throw new HttpError(404, 'not_found', `Nothing at ${method} ${pathname}.`);
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    let label = 'other';
    try {
      label = await this.route(req, res, pathname);
    } catch (error) {
      if (!(error instanceof HttpError)) this.log.error({ err: error, path: pathname }, 'request failed');
      sendError(res, error);
    } finally {
      this.metrics.httpRequests.inc({ route: label, status: String(res.statusCode) });
    }
  }

  /** /ws goes to the ingest (which authorizes it), /api/live to the live feed behind the dashboard's guards. */
  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // A named function, not an arrow: an arrow here would share a scope whose upgrade callback holds `req`, and
    // keep every socket's IncomingMessage alive for the socket's life (about 1 KB per idle connection).
    socket.on('error', destroySocket);
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (this.closing) return this.ingest.refuse(socket, 503, 'shutting_down', 'The server is shutting down.');
    if (pathname === '/api/live' && this.liveFeed) {
      const crossSite = this.originGuard.check(req, pathname);
      if (crossSite) return this.ingest.refuse(socket, crossSite.status, crossSite.code, crossSite.message);
      if (this.apiGuard !== undefined && !this.apiGuard.allows(req)) return this.ingest.refuse(socket, 401, 'api_token_required', API_TOKEN_HINT);
      return this.liveFeed.handleUpgrade(req, socket, head);
    }
    if (pathname !== '/ws') return this.ingest.refuse(socket, 404, 'not_found', `WebSocket path ${pathname} does not exist; ACS must connect to /ws.`);
    return this.ingest.upgrade(req, socket, head);
  }
}

function wsUrlOf(base: string): string {
  return `${base.replace(/^http/, 'ws')}/ws`;
}
