// Call control through the official @azure/communication-call-automation SDK, wrapped thinly:
// what `acs-audio call ...` and the demo need. Nothing here re-implements the REST API.
import { AcsAudioError } from '../errors/index.js';
import {
  CallAutomationClient,
  type CallConnectionProperties,
  type CallInvite,
  type MediaStreamingOptions,
  type TranscriptionOptions,
} from '@azure/communication-call-automation';
import {
  createIdentifierFromRawId,
  getIdentifierRawId,
  type PhoneNumberIdentifier,
} from '@azure/communication-common';

/** Streaming options in our words, mapped onto the SDK's MediaStreamingOptions. */
export interface StreamingChoice {
  /** WebSocket URL ACS connects to (wss:// for real ACS; ws:// works with the emulator). */
  streamUrl: string;
  /** @default 'mixed' */
  channel?: 'mixed' | 'unmixed';
  /** @default 'pcm16k' */
  format?: 'pcm16k' | 'pcm24k';
  /** @default false */
  bidirectional?: boolean;
  /** @default false */
  dtmf?: boolean;
  /** Start streaming as soon as the call connects. @default false */
  startNow?: boolean;
  /** Live transcription locale (e.g. en-US); off when undefined. */
  transcriptionLocale?: string;
  /** Transcription WebSocket URL. @default streamUrl */
  transcriptionUrl?: string;
}

/** An error from call control with a stable code and what to do about it. */
export class CallControlError extends AcsAudioError<CallControlErrorCode> {
  override name = 'CallControlError';
}

/** Stable codes of {@link CallControlError}. */
export const CallControlErrorCode = {
  /** A call target that is not an ACS user, phone number or Teams user id. */
  BadTarget: 'ERR_CALLS_BAD_TARGET',
  /** An ACS connection string without endpoint= and accesskey=. */
  BadConnectionString: 'ERR_CALLS_BAD_CONNECTION_STRING',
  /** A callback or stream URL that is not https:// (or http:// on loopback). */
  BadUrl: 'ERR_CALLS_BAD_URL',
  /** DTMF tones other than 0-9, *, #, A-D. */
  BadDtmfTones: 'ERR_CALLS_BAD_DTMF_TONES',
} as const;
export type CallControlErrorCode = (typeof CallControlErrorCode)[keyof typeof CallControlErrorCode];

/** True for an http:// endpoint on a loopback host (the emulator): the only case where plain HTTP is allowed. */
export function isLoopbackHttp(endpoint: string): boolean {
  const url = new URL(endpoint);
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(url.hostname);
}

/** Creates the SDK client; `allowInsecureConnection` only for an http loopback endpoint (the emulator). */
export function createCallClient(connectionString: string): CallAutomationClient {
  const match = /endpoint=([^;]+)/i.exec(connectionString);
  if (!match || !/accesskey=/i.test(connectionString)) {
    throw new CallControlError(
      'ERR_CALLS_BAD_CONNECTION_STRING',
      'The ACS connection string must look like "endpoint=https://<resource>.communication.azure.com/;accesskey=<key>" ' +
        '(Azure portal → your Communication Services resource → Keys), or the one `acs-audio emulator` prints.',
    );
  }
  const endpoint = match[1];
  return new CallAutomationClient(connectionString, { allowInsecureConnection: isLoopbackHttp(endpoint) });
}

/** Parses a call target: an E.164 phone number (+15551234567) or any ACS raw ID (8:acs:..., 4:+1555...). */
export function parseCallTarget(text: string): CallInvite['targetParticipant'] {
  const value = text.trim();
  if (/^\+[1-9]\d{4,15}$/.test(value)) return { phoneNumber: value };
  if (/^\d+:/.test(value)) {
    const identifier = createIdentifierFromRawId(value);
    if (identifier.kind === 'unknown') {
      throw new CallControlError('ERR_CALLS_BAD_TARGET', `"${text}" is not a raw ID ACS can call (try 8:acs:... or +1555...).`);
    }
    return identifier as CallInvite['targetParticipant'];
  }
  throw new CallControlError(
    'ERR_CALLS_BAD_TARGET',
    `"${text}" is neither a phone number in E.164 form (+15551234567) nor an ACS raw ID (8:acs:<resource>_<user>).`,
  );
}

/** Maps our streaming choice onto the SDK's MediaStreamingOptions. */
export function toMediaStreamingOptions(choice: StreamingChoice): MediaStreamingOptions {
  assertWebSocketUrl(choice.streamUrl, 'stream URL');
  return {
    transportType: 'websocket',
    transportUrl: choice.streamUrl,
    contentType: 'audio',
    audioChannelType: choice.channel ?? 'mixed',
    audioFormat: choice.format === 'pcm24k' ? 'pcm24KMono' : 'pcm16KMono',
    startMediaStreaming: choice.startNow ?? false,
    enableBidirectional: choice.bidirectional ?? false,
    enableDtmfTones: choice.dtmf ?? false,
  };
}

function toTranscriptionOptions(choice: StreamingChoice): TranscriptionOptions | undefined {
  if (!choice.transcriptionLocale) return undefined;
  const url = choice.transcriptionUrl ?? choice.streamUrl;
  assertWebSocketUrl(url, 'transcription URL');
  return {
    transportType: 'websocket',
    transportUrl: url,
    locale: choice.transcriptionLocale,
    startTranscription: choice.startNow ?? false,
    enableIntermediateResults: true,
  };
}

function assertWebSocketUrl(url: string, what: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new CallControlError('ERR_CALLS_BAD_URL', `The ${what} "${url}" is not a URL.`, { cause });
  }
  if (parsed.protocol !== 'wss:' && parsed.protocol !== 'ws:') {
    throw new CallControlError(
      'ERR_CALLS_BAD_URL',
      `The ${what} must start with wss:// (ACS connects to it as a WebSocket), not ${parsed.protocol}//.`,
    );
  }
}

/** What `createStreamingCall` needs. */
export interface CreateStreamingCallRequest extends StreamingChoice {
  to: string;
  from?: string;
  callbackUrl: string;
  operationContext?: string;
}

/** Places a call with media streaming (and transcription when a locale is given); returns its properties. */
export async function createStreamingCall(
  client: CallAutomationClient,
  request: CreateStreamingCallRequest,
): Promise<CallConnectionProperties> {
  const source: PhoneNumberIdentifier | undefined = request.from ? { phoneNumber: request.from } : undefined;
  const invite: CallInvite = { targetParticipant: parseCallTarget(request.to), sourceCallIdNumber: source };
  const result = await client.createCall(invite, request.callbackUrl, {
    sourceCallIdNumber: source,
    operationContext: request.operationContext,
    mediaStreamingOptions: toMediaStreamingOptions(request),
    transcriptionOptions: toTranscriptionOptions(request),
  });
  return result.callConnectionProperties;
}

/** Starts media streaming on a connected call. */
export async function startStreaming(
  client: CallAutomationClient,
  callConnectionId: string,
  options: { context?: string; callbackUrl?: string } = {},
): Promise<void> {
  await client
    .getCallConnection(callConnectionId)
    .getCallMedia()
    .startMediaStreaming({ operationContext: options.context, operationCallbackUrl: options.callbackUrl });
}

/** Stops media streaming on a call. */
export async function stopStreaming(
  client: CallAutomationClient,
  callConnectionId: string,
  options: { context?: string; callbackUrl?: string } = {},
): Promise<void> {
  await client
    .getCallConnection(callConnectionId)
    .getCallMedia()
    .stopMediaStreaming({ operationContext: options.context, operationCallbackUrl: options.callbackUrl });
}

/** Hangs up the call for everyone. */
export async function hangUpCall(client: CallAutomationClient, callConnectionId: string): Promise<void> {
  await client.getCallConnection(callConnectionId).hangUp(true);
}

/** A call's properties and participants, as `acs-audio call show` prints them. */
export interface CallDescription {
  callConnectionId: string | undefined;
  state: string | undefined;
  serverCallId: string | undefined;
  correlationId: string | undefined;
  callbackUrl: string | undefined;
  mediaStreaming: { id?: string; state?: string } | undefined;
  transcription: { id?: string; state?: string } | undefined;
  participants: Array<{ rawId: string; isMuted: boolean | undefined; isOnHold: boolean | undefined }>;
}

/** Reads a call's properties and participants. */
export async function describeCall(client: CallAutomationClient, callConnectionId: string): Promise<CallDescription> {
  const connection = client.getCallConnection(callConnectionId);
  const [properties, participants] = await Promise.all([
    connection.getCallConnectionProperties(),
    connection.listParticipants(),
  ]);
  return {
    callConnectionId: properties.callConnectionId,
    state: properties.callConnectionState,
    serverCallId: properties.serverCallId,
    correlationId: properties.correlationId,
    callbackUrl: properties.callbackUrl,
    mediaStreaming: properties.mediaStreamingSubscription
      ? { id: properties.mediaStreamingSubscription.id, state: properties.mediaStreamingSubscription.state }
      : undefined,
    transcription: properties.transcriptionSubscription
      ? { id: properties.transcriptionSubscription.id, state: properties.transcriptionSubscription.state }
      : undefined,
    participants: (participants.values ?? []).map((p) => ({
      rawId: p.identifier ? getIdentifierRawId(p.identifier) : '',
      isMuted: p.isMuted,
      isOnHold: p.isOnHold,
    })),
  };
}

/** Answers an incoming call (its Event Grid `incomingCallContext`, passed unchanged) with media streaming. */
export async function answerIncomingCall(
  client: CallAutomationClient,
  request: StreamingChoice & { incomingCallContext: string; callbackUrl: string; operationContext?: string },
): Promise<CallConnectionProperties> {
  const result = await client.answerCall(request.incomingCallContext, request.callbackUrl, {
    operationContext: request.operationContext,
    mediaStreamingOptions: toMediaStreamingOptions(request),
    transcriptionOptions: toTranscriptionOptions(request),
  });
  return result.callConnectionProperties;
}

/** Transfers the call to one participant (a phone number or raw ID); the call connection ends for us on success. */
export async function transferCall(client: CallAutomationClient, callConnectionId: string, target: string): Promise<void> {
  await client.getCallConnection(callConnectionId).transferCallToParticipant(parseCallTarget(target));
}

/** SDK tone names for the digits a person presses (DtmfTone). */
const TONE_NAMES: Record<string, string> = {
  '0': 'zero', '1': 'one', '2': 'two', '3': 'three', '4': 'four', '5': 'five', '6': 'six', '7': 'seven', '8': 'eight',
  '9': 'nine', '*': 'asterisk', '#': 'pound', A: 'a', B: 'b', C: 'c', D: 'd',
};

/** Sends DTMF tones ("0"-"9", "*", "#", "A"-"D") to a participant of the call (the SDK's sendDtmfTones). */
export async function sendDtmfTones(client: CallAutomationClient, callConnectionId: string, tones: string, targetRawId: string): Promise<void> {
  const names = [...tones.toUpperCase()].map((t) => {
    const name = TONE_NAMES[t];
    if (!name) throw new CallControlError('ERR_CALLS_BAD_DTMF_TONES', `"${t}" is not a DTMF tone: use 0-9, *, #, A-D.`);
    return name;
  });
  await client.getCallConnection(callConnectionId).getCallMedia().sendDtmfTones(names, createIdentifierFromRawId(targetRawId));
}

/** Plays text to everyone on the call with ACS's text-to-speech (the SDK's playToAll with a TextSource). */
export async function playTextToAll(client: CallAutomationClient, callConnectionId: string, text: string, options: { voiceName?: string; operationContext?: string } = {}): Promise<void> {
  await client
    .getCallConnection(callConnectionId)
    .getCallMedia()
    .playToAll([{ kind: 'textSource', text, voiceName: options.voiceName ?? 'en-US-JennyNeural' }], { operationContext: options.operationContext });
}
