// createEmulator: a local ACS Call Automation endpoint. The request pipeline, commented in order:
// context (read body) → dispatch by operation → HMAC auth → body validation → handler → serializer → error renderer.
// Also serves the JWKS ACS publishes, and a loopback admin API (calls, faults, incoming calls).
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { CallOperations, callProperties } from './call-operations.js';
import { createMemoryCallStore, type CallRecord, type CallStore } from './call-store.js';
import { CallbackSender } from './callback-events.js';
import { MediaOperations } from './media-operations.js';
import { createMediaEngine } from './engine/index.js';
import type { EngineStreamStats, FaultSpec, MediaEngine, Scenario } from './media-engine-contract.js';
import { AcsRestError, acsErrors } from './rest/acs-errors.js';
import { checkHmac, isLoopback } from './rest/hmac-auth.js';
import { dispatch, type OperationName } from './rest/operation-table.js';
import { createTokenSigner, type TokenSigner } from './token-signer.js';
import { deliverEventGridEvent, deliverIncomingCall } from './event-grid.js';
import { MidCallHandlers, type HandlerResult } from './mid-call-handlers.js';
import { createRealtimeModel, type RealtimeModel, type RealtimeModelOptions } from './realtime/index.js';
import { AcsAudioError, ErrorCode } from '../errors/index.js';
import { PromptSynth } from './prompt-synth.js';

/** ACS Call Automation's JWT issuer (docs/protocol.md §3). */
export const EMULATOR_ISSUER = 'https://acscallautomation.communication.azure.com';

/** Options for createEmulator; every field has a default. */
export interface EmulatorOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 5050; 0 picks a free port */
  port?: number;
  /** Base64 access key of the connection string. @default 32 random bytes */
  accessKey?: string;
  /** Also serve the local realtime model (docs/realtime-model.md) with the emulator; its key defaults to the access key
   *  and its host to the emulator's. On the handle as `realtime`. @default none */
  realtime?: RealtimeModelOptions;
  /** Media speed factor (2 = twice real time). @default 1 */
  speed?: number;
  /** Who is in every call and what they say. @default each target speaks a bundled fixture */
  scenario?: Scenario;
  /** Event Grid webhook for incoming calls (e.g. http://127.0.0.1:8080/api/incoming-call). */
  eventGridWebhook?: string;
  /** The ACS resource's immutable ID: the audience of every JWT. @default a random GUID */
  resourceId?: string;
  /** Folder for recordings of what apps play into calls. @default a temp folder */
  playbackDir?: string;
  /** Folder for call recordings (callRecording.start). @default a temp folder */
  recordingDir?: string;
  /**
   * Origin of recording content locations. The SDK downloads only from https://*.asm.skype.com, so an app routes
   * that host to the emulator with its HTTP client (docs/emulator.md). @default 'https://emulator.asm.skype.com'
   */
  recordingStorageOrigin?: string;
  /** Milliseconds from create/answer to CallConnected (divided by speed). @default 50 */
  connectDelayMs?: number;
  /** Serve the admin API (/admin/*: faults, incoming calls, call views) to non-loopback clients too. @default false */
  adminRemote?: boolean;
  /**
   * How text and SSML prompts of :play and recognize are heard (and recorded): 'espeak' speaks them with espeak-ng
   * when it is installed (a tone where it is not), 'tone' always plays the tone (~60 ms a character). File prompts
   * are their audio when readable (file: or loopback http), either way. @default 'espeak'
   */
  promptSpeech?: 'espeak' | 'tone';
  /** The media engine. @default createMediaEngine({ speed, logger, playbackDir }) */
  engine?: MediaEngine;
  /** Where calls are kept. @default in memory */
  store?: CallStore;
  /** @default silent */
  logger?: Logger;
}

/** A call as the admin API and tests see it. */
export interface EmulatorCallView {
  callConnectionId: string;
  state: string;
  participants: string[];
  mediaSubscriptionId: string;
  mediaState: string;
  events: Array<{ type: string; time: string; delivered: boolean }>;
  media: EngineStreamStats | undefined;
}

/** The running emulator. */
export interface Emulator {
  listen(): Promise<{ url: string; connectionString: string }>;
  close(): Promise<void>;
  address(): AddressInfo | undefined;
  readonly connectionString: string;
  readonly jwksUrl: string;
  readonly issuer: string;
  readonly audience: string;
  readonly engine: MediaEngine;
  getCall(callConnectionId: string): EmulatorCallView | undefined;
  listCalls(): EmulatorCallView[];
  injectFault(callConnectionId: string, fault: FaultSpec): void;
  /** Posts an IncomingCall (after the Event Grid handshake) to the webhook; returns its incomingCallContext. */
  incomingCall(request: { from: string; to: string; webhook?: string }): Promise<string>;
  /** The realtime model started with the emulator (option `realtime`), listening once `listen()` resolved. */
  readonly realtime: RealtimeModel | undefined;
}

const BODY_LIMIT = 1024 * 1024;

/** Creates the emulator; nothing listens until `listen()`. */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const speed = options.speed ?? 1;
  if (!(speed > 0)) throw new AcsAudioError(ErrorCode.BadOptions, `createEmulator: speed must be a positive number (got ${options.speed})`);
  const logger = options.logger ?? pino({ enabled: false });
  const accessKey = options.accessKey ?? randomBytes(32).toString('base64');
  const realtime = options.realtime ? createRealtimeModel({ host: options.host, apiKey: accessKey, adminRemote: options.adminRemote, ...options.realtime }) : undefined;
  const audience = options.resourceId ?? randomUUID();
  const engine = options.engine ?? createMediaEngine({ speed, logger, playbackDir: options.playbackDir ?? join(tmpdir(), `acs-emulator-playback-${process.pid}`) });
  const store = options.store ?? createMemoryCallStore();
  const validatedWebhooks = new Set<string>();
  let signer: TokenSigner | undefined;
  let operations: CallOperations | undefined;
  let media: MediaOperations | undefined;
  let sender: CallbackSender | undefined;
  let midCall: MidCallHandlers | undefined;
  let baseUrl = '';
  let closing: Promise<void> | undefined;

  async function ready(): Promise<CallOperations> {
    if (!operations) {
      signer = await createTokenSigner(EMULATOR_ISSUER, audience);
      sender = new CallbackSender(signer, logger);
      operations = new CallOperations({ store, engine, sender, signer, scenario: options.scenario, connectDelayMs: (options.connectDelayMs ?? 50) / speed, speed, logger, onEnded: (id) => (media?.forget(id), midCall?.forget(id)) });
      const ops = operations;
      media = new MediaOperations({ connected: (id) => ops.connected(id), sender, speed, synth: new PromptSynth({ speech: options.promptSpeech !== 'tone' }) });
      const webhook = options.eventGridWebhook;
      midCall = new MidCallHandlers({
        store,
        connected: (id) => ops.connected(id),
        hangUp: (id) => ops.hangUp(id),
        sender,
        speed,
        recordingDir: options.recordingDir ?? join(tmpdir(), `acs-emulator-recordings-${process.pid}`),
        storageOrigin: options.recordingStorageOrigin ?? 'https://emulator.asm.skype.com',
        publish: webhook ? (subject, data) => deliverEventGridEvent(webhook, 'RecordingFileStatusUpdated', subject, data, validatedWebhooks) : undefined,
        logger,
      });
    }
    return operations;
  }

  async function readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > BODY_LIMIT) throw acsErrors.badRequest(`The body exceeds ${BODY_LIMIT} bytes.`);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  function parseBody(body: Buffer): Record<string, unknown> {
    if (body.length === 0) return {};
    try {
      const value = JSON.parse(body.toString('utf8'));
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
      return value as Record<string, unknown>;
    } catch (error) {
      throw acsErrors.badRequest(`The body is not a JSON object: ${(error as Error).message}`);
    }
  }

  /** The handler step: operation + body → status and response body. */
  async function handle(operation: OperationName, id: string | undefined, detail: string | undefined, body: Record<string, unknown>): Promise<HandlerResult> {
    const ops = await ready();
    const call = id ?? '';
    const handled = await midCall!.handle(operation, call, detail, body);
    if (handled) return handled;
    switch (operation) {
      case 'createCall':
        return { status: 201, body: callProperties(ops.createCall(body)) };
      case 'answerCall':
        return { status: 200, body: callProperties(ops.answerCall(body)) };
      case 'rejectCall':
      case 'redirectCall':
        ops.rejectOrRedirect(body);
        return { status: 204 };
      case 'getCall':
        return { status: 200, body: callProperties(ops.get(call)) };
      case 'hangUp':
      case 'terminate':
        await ops.hangUp(call, operation === 'terminate' ? 'terminate' : 'hangup');
        return { status: 204 };
      case 'startMediaStreaming':
        ops.startMediaStreaming(call, body);
        return { status: 202 };
      case 'stopMediaStreaming':
        await ops.stopMediaStreaming(call, body);
        return { status: 202 };
      case 'startTranscription':
        ops.startTranscription(call, body);
        return { status: 202 };
      case 'stopTranscription':
        ops.stopTranscription(call, body);
        return { status: 202 };
      case 'play':
        media!.play(call, body);
        return { status: 202 };
      case 'recognize':
        media!.recognize(call, body);
        return { status: 202 };
      case 'cancelAllMediaOperations':
        media!.cancelAll(call, body);
        return { status: 202 };
      case 'updateTranscription':
        ops.updateTranscription(call, body);
        return { status: 202 };
      default:
        throw acsErrors.operationNotFound('POST', operation);
    }
  }

  function send(res: ServerResponse, status: number, body?: unknown): void {
    if (body === undefined) {
      res.writeHead(status, { 'content-length': 0 });
      res.end();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-ms-client-request-id': randomUUID() });
    res.end(text);
  }

  /** Recording content, whole or the Range the SDK asks for (downloadStreaming's offset / length). */
  function sendBytes(req: IncomingMessage, res: ServerResponse, bytes: { type: string; body: Buffer }): void {
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
    const size = bytes.body.length;
    if (!range) {
      res.writeHead(200, { 'content-type': bytes.type, 'content-length': size, 'accept-ranges': 'bytes' });
      res.end(bytes.body);
      return;
    }
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : size - 1, size - 1);
    if (start >= size || end < start) return send(res, 416, { error: { code: 'InvalidRange', message: `Range ${req.headers.range} is outside the ${size} bytes of the recording.` } });
    res.writeHead(206, { 'content-type': bytes.type, 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${size}` });
    res.end(bytes.body.subarray(start, end + 1));
  }

  function view(call: CallRecord): EmulatorCallView {
    return {
      callConnectionId: call.callConnectionId,
      state: call.state,
      participants: call.participants,
      mediaSubscriptionId: call.mediaSubscriptionId,
      mediaState: call.mediaState,
      events: call.events,
      media: call.stream?.stats() ?? call.mediaStats,
    };
  }

  async function admin(req: IncomingMessage, res: ServerResponse, pathname: string, body: Buffer): Promise<void> {
    if (pathname === '/calling/keys') return send(res, 200, (await ready(), signer!.jwks));
    if (pathname === '/calling/.well-known/acsopenidconfiguration') {
      return send(res, 200, { issuer: EMULATOR_ISSUER, jwks_uri: `${baseUrl}/calling/keys`, id_token_signing_alg_values_supported: ['RS256'] });
    }
    if (pathname.startsWith('/admin/') && !options.adminRemote && !isLoopback(req.socket.remoteAddress)) {
      throw acsErrors.adminForbidden(req.socket.remoteAddress ?? 'unknown');
    }
    if (pathname === '/admin/calls' && req.method === 'GET') return send(res, 200, { calls: emulator.listCalls() });
    const call = /^\/admin\/calls\/([^/]+)(\/faults)?$/.exec(pathname);
    if (call && !call[2] && req.method === 'GET') {
      const found = emulator.getCall(decodeURIComponent(call[1]));
      return found ? send(res, 200, found) : send(res, 404, acsErrors.callNotFound(call[1]).toJSON());
    }
    if (call && call[2] && req.method === 'POST') {
      emulator.injectFault(decodeURIComponent(call[1]), parseBody(body) as unknown as FaultSpec);
      return send(res, 202, { injected: true });
    }
    if (pathname === '/admin/incoming-call' && req.method === 'POST') {
      const request = parseBody(body) as { from?: string; to?: string; webhook?: string };
      if (!request.from || !request.to) throw acsErrors.badRequest('POST /admin/incoming-call needs {"from": "+1555...", "to": "+1555..."}.');
      const incomingCallContext = await emulator.incomingCall({ from: request.from, to: request.to, webhook: request.webhook });
      return send(res, 202, { incomingCallContext });
    }
    throw acsErrors.operationNotFound(req.method ?? 'GET', pathname);
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      // 1. context
      const url = new URL(req.url ?? '/', 'http://emulator');
      const body = await readBody(req);
      if (url.pathname.startsWith('/admin/') || url.pathname.startsWith('/calling/keys') || url.pathname.startsWith('/calling/.well-known/')) {
        return await admin(req, res, url.pathname, body);
      }
      // 2. dispatch by operation
      const route = dispatch(req.method ?? 'GET', url.pathname);
      if (!route) throw acsErrors.operationNotFound(req.method ?? 'GET', url.pathname);
      // 3. HMAC auth, exactly as the SDK signs (path and query as sent; a recording download is signed for the
      // endpoint's host, sent in x-ms-host, while Host names the storage host)
      const download = route.operation === 'downloadRecording' || route.operation === 'deleteRecording';
      const headers = download && req.headers['x-ms-host'] ? { ...req.headers, host: req.headers['x-ms-host'] } : req.headers;
      const problem = checkHmac(accessKey, { method: req.method ?? 'GET', pathAndQuery: req.url ?? '/', headers, body });
      if (problem) throw acsErrors.unauthorized(problem);
      // 4. body validation → 5. handler → 6. serializer
      const result = await handle(route.operation, route.callConnectionId, route.detail, download ? {} : parseBody(body));
      if (result.bytes) return sendBytes(req, res, result.bytes);
      send(res, result.status, result.body);
    } catch (error) {
      // 7. error renderer
      if (error instanceof AcsRestError) return send(res, error.status, error.toJSON());
      logger.error({ err: error }, 'emulator: request failed');
      send(res, 500, { error: { code: 'InternalServerError', message: (error as Error).message } });
    }
  }

  const http: Server = createServer((req, res) => void onRequest(req, res));

  const emulator: Emulator = {
    get connectionString() {
      return `endpoint=${baseUrl}/;accesskey=${accessKey}`;
    },
    get jwksUrl() {
      return `${baseUrl}/calling/keys`;
    },
    issuer: EMULATOR_ISSUER,
    audience,
    engine,
    realtime,
    address: () => (http.address() as AddressInfo | null) ?? undefined,
    async listen() {
      await ready();
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(options.port ?? 5050, options.host ?? '127.0.0.1', () => {
          http.off('error', reject);
          resolve();
        });
      });
      const { port } = http.address() as AddressInfo;
      baseUrl = `http://${options.host ?? '127.0.0.1'}:${port}`;
      await realtime?.listen();
      return { url: baseUrl, connectionString: emulator.connectionString };
    },
    close() {
      closing ??= (async () => {
        media?.close();
        await engine.close();
        await midCall?.close();
        await sender?.drain();
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
        await realtime?.close();
      })();
      return closing;
    },
    getCall(id) {
      const call = store.get(id);
      return call ? view(call) : undefined;
    },
    listCalls: () => store.list().map(view),
    injectFault(id, fault) {
      const call = store.get(id);
      if (!call) throw acsErrors.callNotFound(id);
      if (!call.stream) throw acsErrors.badRequest(`Call ${id} is not streaming; faults apply to a running stream.`);
      call.stream.inject(fault);
    },
    async incomingCall({ from, to, webhook }) {
      const target = webhook ?? options.eventGridWebhook;
      if (!target) throw acsErrors.badRequest('No Event Grid webhook: start the emulator with --event-grid-webhook or pass "webhook".');
      const pending = (await ready()).offerIncomingCall(from, to);
      await deliverIncomingCall(target, pending, validatedWebhooks);
      return pending.incomingCallContext;
    },
  };
  return emulator;
}
