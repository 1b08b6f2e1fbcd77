// The emulator's Call Automation operations, shaped by the REST API and knowing nothing of HTTP: they take the
// request bodies the SDK sends (docs/protocol.md §4), change calls in the store, drive the media engine and post events.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CallRecord, CallStore, MediaStreamingRequest, TranscriptionRequest } from './call-store.js';
import { acsErrors } from './rest/acs-errors.js';
import { buildCallEvent, participantsFields, RESULT_OK, streamingFields, type CallbackSender } from './callback-events.js';
import { identifierOf, rawIdOf, rawIdOfNumber, type IdentifierModel } from './identifiers.js';
import type { MediaEngine, Scenario, StreamEvents, StreamSpec } from './media-engine-contract.js';
import type { TokenSigner } from './token-signer.js';
import { str } from './body-fields.js';

/** What the operations need from the emulator. */
export interface OperationsContext {
  store: CallStore;
  engine: MediaEngine;
  sender: CallbackSender;
  signer: TokenSigner;
  scenario: Scenario | undefined;
  connectDelayMs: number;
  speed: number;
  logger: Logger;
  /** Told when a call ends, so per-call state elsewhere (running media operations) is dropped. */
  onEnded?: (callConnectionId: string) => void;
}

/** An incoming call offered to the app, waiting to be answered or rejected. */
export interface PendingIncomingCall {
  incomingCallContext: string;
  from: string;
  to: string;
  serverCallId: string;
  correlationId: string;
}

type Body = Record<string, unknown>;

function requireString(body: Body, field: string): string {
  const value = str(body[field]);
  if (!value) throw acsErrors.badRequest(`The request body must have a non-empty "${field}".`);
  return value;
}

/** The call's properties as the REST API returns them (CallConnectionPropertiesInternal). */
export function callProperties(call: CallRecord): Record<string, unknown> {
  return {
    callConnectionId: call.callConnectionId,
    serverCallId: call.serverCallId,
    targets: call.targets.map(identifierOf),
    callConnectionState: call.state,
    callbackUri: call.callbackUri,
    sourceCallerIdNumber: call.sourceCallerId ? { value: call.sourceCallerId } : undefined,
    correlationId: call.correlationId,
    mediaStreamingSubscription: { id: call.mediaSubscriptionId, state: call.mediaState, subscribedContentTypes: ['audio'] },
    transcriptionSubscription: call.transcription
      ? { id: call.transcriptionSubscriptionId, state: call.transcriptionState, subscribedResultStates: ['final', 'intermediate'], locale: call.transcription.locale }
      : undefined,
  };
}

/** Call Automation, emulated. */
export class CallOperations {
  private readonly incoming = new Map<string, PendingIncomingCall>();

  constructor(private readonly ctx: OperationsContext) {}

  /** Offers an incoming call; returns its context for the Event Grid event. */
  offerIncomingCall(from: string, to: string): PendingIncomingCall {
    const pending: PendingIncomingCall = {
      incomingCallContext: Buffer.from(JSON.stringify({ id: randomUUID(), from, to })).toString('base64'),
      from,
      to,
      serverCallId: Buffer.from(`emulator-server-call-${randomUUID()}`).toString('base64url'),
      correlationId: randomUUID(),
    };
    this.incoming.set(pending.incomingCallContext, pending);
    return pending;
  }

  createCall(body: Body): CallRecord {
    const targets = (Array.isArray(body.targets) ? body.targets : []).map((t) => rawIdOf(t as IdentifierModel)).filter((t): t is string => !!t);
    if (targets.length === 0) throw acsErrors.badRequest('"targets" must name at least one participant (phone number or ACS user).');
    const call = this.newCall({
      direction: 'outbound',
      callbackUri: requireString(body, 'callbackUri'),
      targets,
      sourceCallerId: str((body.sourceCallerIdNumber as { value?: string } | undefined)?.value),
      operationContext: str(body.operationContext),
      mediaStreaming: body.mediaStreamingOptions as MediaStreamingRequest | undefined,
      transcription: body.transcriptionOptions as TranscriptionRequest | undefined,
    });
    this.connectLater(call);
    return call;
  }

  answerCall(body: Body): CallRecord {
    const context = requireString(body, 'incomingCallContext');
    const pending = this.incoming.get(context);
    if (!pending) throw acsErrors.incomingCallUnknown();
    this.incoming.delete(context);
    const call = this.newCall({
      direction: 'inbound',
      callbackUri: requireString(body, 'callbackUri'),
      // The caller as the IncomingCall event named it: a phone number's raw ID is "4:+1555…".
      targets: [rawIdOfNumber(pending.from)],
      sourceCallerId: undefined,
      operationContext: str(body.operationContext),
      mediaStreaming: body.mediaStreamingOptions as MediaStreamingRequest | undefined,
      transcription: body.transcriptionOptions as TranscriptionRequest | undefined,
      serverCallId: pending.serverCallId,
      correlationId: pending.correlationId,
    });
    this.connectLater(call);
    return call;
  }

  rejectOrRedirect(body: Body): void {
    const context = requireString(body, 'incomingCallContext');
    if (!this.incoming.delete(context)) throw acsErrors.incomingCallUnknown();
  }

  get(id: string): CallRecord {
    const call = this.ctx.store.get(id);
    if (!call) throw acsErrors.callNotFound(id);
    return call;
  }

  async hangUp(id: string, reason: 'hangup' | 'terminate' | 'remote' = 'hangup'): Promise<void> {
    const call = this.get(id);
    if (call.state === 'disconnected' || call.state === 'disconnecting') return;
    call.state = 'disconnecting';
    await call.stream?.stop();
    call.state = 'disconnected';
    call.endedAt = new Date().toISOString();
    this.ctx.onEnded?.(call.callConnectionId);
    const result = reason === 'remote' ? { code: 200, subCode: 5001, message: 'The conversation has ended: the remote party hung up.' } : { code: 200, subCode: 7000, message: 'The conversation has ended.' };
    void this.ctx.sender.post(call, buildCallEvent(call, 'CallDisconnected', { resultInformation: result }));
  }

  startMediaStreaming(id: string, body: Body): void {
    const call = this.connected(id);
    if (!call.mediaStreaming?.transportUrl) throw acsErrors.streamingNotConfigured(id);
    if (call.stream) throw acsErrors.badRequest(`Media streaming is already active on call ${id}.`);
    this.startStream(call, { operationContext: str(body.operationContext), callbackUri: str(body.operationCallbackUri) });
  }

  async stopMediaStreaming(id: string, body: Body): Promise<void> {
    const call = this.connected(id);
    if (!call.stream) throw acsErrors.badRequest(`Media streaming is not active on call ${id}.`);
    const override = str(body.operationCallbackUri);
    if (override) call.streamingContext = { ...call.streamingContext, callbackUri: override };
    await call.stream.stop();
  }

  startTranscription(id: string, body: Body): void {
    const call = this.connected(id);
    if (!call.transcription) throw acsErrors.badRequest(`Call ${id} has no transcriptionOptions.`);
    call.transcriptionState = 'active';
    const uri = str(body.operationCallbackUri) ?? call.callbackUri;
    void this.ctx.sender.post(call, buildCallEvent(call, 'TranscriptionStarted', { operationContext: str(body.operationContext), resultInformation: RESULT_OK, transcriptionUpdate: { transcriptionStatus: 'transcriptionStarted', transcriptionStatusDetails: 'subscriptionStarted' } }), uri);
  }

  stopTranscription(id: string, body: Body): void {
    const call = this.connected(id);
    call.transcriptionState = 'inactive';
    const uri = str(body.operationCallbackUri) ?? call.callbackUri;
    void this.ctx.sender.post(call, buildCallEvent(call, 'TranscriptionStopped', { operationContext: str(body.operationContext), resultInformation: RESULT_OK, transcriptionUpdate: { transcriptionStatus: 'transcriptionStopped', transcriptionStatusDetails: 'subscriptionStopped' } }), uri);
  }

  /** :updateTranscription → the locale (and custom model) change; TranscriptionUpdated. */
  updateTranscription(id: string, body: Body): void {
    const call = this.connected(id);
    if (!call.transcription || call.transcriptionState !== 'active') throw acsErrors.badRequest(`Transcription is not running on call ${id}; start it first.`);
    const locale = str(body.locale);
    if (locale && !/^[a-z]{2,3}-[A-Z]{2}$/.test(locale)) throw acsErrors.badRequest(`"locale" must look like en-US (got ${JSON.stringify(body.locale)}).`);
    if (locale) call.transcription.locale = locale;
    const uri = str(body.operationCallbackUri) ?? call.callbackUri;
    const transcriptionUpdate = { transcriptionStatus: 'transcriptionUpdated', transcriptionStatusDetails: 'transcriptionLocaleUpdated' };
    void this.ctx.sender.post(call, buildCallEvent(call, 'TranscriptionUpdated', { operationContext: str(body.operationContext), resultInformation: RESULT_OK, transcriptionUpdate }), uri);
  }

  /** The call, or 404 when unknown and 400 (8501) unless connected. */
  connected(id: string): CallRecord {
    const call = this.get(id);
    // ACS forgets an ended call: an operation on it is a 404 like an unknown call.
    if (call.state === 'disconnected') throw acsErrors.callNotFound(id);
    if (call.state !== 'connected') throw acsErrors.callNotConnected(id, call.state);
    return call;
  }

  private newCall(fields: Pick<CallRecord, 'direction' | 'callbackUri' | 'targets' | 'sourceCallerId' | 'operationContext' | 'mediaStreaming' | 'transcription'> & { serverCallId?: string; correlationId?: string }): CallRecord {
    if (fields.mediaStreaming?.transportUrl && !/^wss?:\/\//i.test(fields.mediaStreaming.transportUrl)) {
      throw acsErrors.badRequest(`mediaStreamingOptions.transportUrl must be a ws:// or wss:// URL, not "${fields.mediaStreaming.transportUrl}".`);
    }
    // A scenario that names nobody (it may script only replies or callees) still has the call's targets in the call,
    // each speaking a bundled fixture, as with no scenario at all.
    const base: Scenario = this.ctx.scenario ?? { participants: [] };
    const scenario: Scenario = base.participants.length > 0 ? base : { ...base, participants: fields.targets.map((rawId) => ({ rawId, steps: [] })) };
    const call: CallRecord = {
      callConnectionId: randomUUID(),
      serverCallId: fields.serverCallId ?? Buffer.from(`emulator-server-call-${randomUUID()}`).toString('base64url'),
      correlationId: fields.correlationId ?? randomUUID(),
      state: 'connecting',
      participants: scenario.participants.map((p) => p.rawId),
      mediaSubscriptionId: randomUUID(),
      mediaState: fields.mediaStreaming ? 'inactive' : 'disabled',
      transcriptionSubscriptionId: randomUUID(),
      transcriptionState: fields.transcription ? 'inactive' : 'disabled',
      streamingContext: undefined,
      stream: undefined,
      mediaStats: undefined,
      scenario,
      events: [],
      createdAt: new Date().toISOString(),
      endedAt: undefined,
      ...fields,
    };
    this.ctx.store.add(call);
    return call;
  }

  private connectLater(call: CallRecord): void {
    setTimeout(() => {
      if (call.state !== 'connecting') return;
      call.state = 'connected';
      void this.ctx.sender.post(call, buildCallEvent(call, 'CallConnected', { operationContext: call.operationContext, resultInformation: RESULT_OK }));
      void this.ctx.sender.post(call, buildCallEvent(call, 'ParticipantsUpdated', participantsFields(call, 1)));
      if (call.transcription?.startTranscription) call.transcriptionState = 'active';
      if (call.mediaStreaming?.startMediaStreaming && call.mediaStreaming.transportUrl) {
        this.startStream(call, { operationContext: call.operationContext });
      }
    }, this.ctx.connectDelayMs);
  }

  private startStream(call: CallRecord, context: { operationContext?: string; callbackUri?: string }): void {
    const media = call.mediaStreaming as MediaStreamingRequest & { transportUrl: string };
    call.streamingContext = context;
    call.mediaState = 'active';
    const spec: StreamSpec = {
      callConnectionId: call.callConnectionId,
      correlationId: call.correlationId,
      subscriptionId: call.mediaSubscriptionId,
      transportUrl: media.transportUrl,
      sampleRate: /^pcm24kmono$/i.test(media.audioFormat ?? '') ? 24000 : 16000,
      channel: /^unmixed$/i.test(media.audioChannelType ?? '') ? 'unmixed' : 'mixed',
      bidirectional: media.enableBidirectional === true,
      dtmf: media.enableDtmfTones === true,
      scenario: call.scenario,
      token: () => this.ctx.signer.sign(24 * 3600, { callConnectionId: call.callConnectionId }),
      transcription:
        call.transcription && call.transcriptionState === 'active'
          ? {
              transportUrl: call.transcription.transportUrl ?? media.transportUrl,
              locale: call.transcription.locale ?? 'en-US',
              subscriptionId: call.transcriptionSubscriptionId,
              intermediateResults: call.transcription.enableIntermediateResults === true,
            }
          : undefined,
    };
    call.stream = this.ctx.engine.start(spec, this.streamEvents(call));
  }

  /** Maps what happened to the socket onto MediaStreaming* events (docs/protocol.md §5). */
  private streamEvents(call: CallRecord): StreamEvents {
    const post = (status: string, details: string, result = RESULT_OK) => {
      const context = call.streamingContext ?? {};
      void this.ctx.sender.post(call, buildCallEvent(call, status === 'mediaStreamingFailed' ? 'MediaStreamingFailed' : status === 'mediaStreamingStopped' ? 'MediaStreamingStopped' : 'MediaStreamingStarted', streamingFields(status, details, result, context.operationContext)), context.callbackUri ?? call.callbackUri);
    };
    let ended = false;
    const finish = () => {
      ended = true;
      call.mediaStats = call.stream?.stats() ?? call.mediaStats;
      call.stream = undefined;
      call.mediaState = 'inactive';
    };
    return {
      connected: () => post('mediaStreamingStarted', 'subscriptionStarted'),
      failed: (detail) => {
        if (ended) return;
        finish();
        this.ctx.logger.warn({ callConnectionId: call.callConnectionId, detail }, 'emulator: media streaming failed');
        post('mediaStreamingFailed', 'streamConnectionUnsuccessful', { code: 500, subCode: 8603, message: `Action failed, not able to establish websocket connection: ${detail}` });
      },
      interrupted: () => this.ctx.logger.info({ callConnectionId: call.callConnectionId }, 'emulator: media socket dropped; reconnecting'),
      reestablished: () => post('mediaStreamingStarted', 'streamConnectionReestablished'),
      hangupRequested: () => void this.hangUp(call.callConnectionId, 'remote').catch(() => undefined),
      ended: () => {
        if (ended) return;
        finish();
        post('mediaStreamingStopped', 'subscriptionStopped');
      },
    };
  }
}
