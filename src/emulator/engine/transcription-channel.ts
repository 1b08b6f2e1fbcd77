// The transcription socket of a call (docs/protocol.md §1, TranscriptionMetadata / TranscriptionData): its own
// connection, metadata first, then results as the stream's ticks produce them. Results due before the socket opens
// wait (a few at most); a lost transcription socket is logged and not reopened — the audio goes on.
import type WebSocket from 'ws';
import type { Logger } from 'pino';
import { serializePacket } from '../../protocol/index.js';
import type { StreamSpec } from '../media-engine-contract.js';
import type { TranscriptEvent } from './call-audio.js';
import { connectSocket } from './connect-socket.js';

/** A call's transcription socket. */
export interface TranscriptionChannel {
  send(event: TranscriptEvent): void;
  readonly packetsSent: number;
  /** Why the socket could not be used, when it could not. */
  readonly failure: string | undefined;
  close(): Promise<void>;
}

const MAX_WAITING = 256;

/** Connects the transcription socket of `spec` (which must have `transcription`). */
export function openTranscriptionChannel(
  spec: StreamSpec,
  options: { handshakeTimeoutMs: number; logger: Logger; closeSocket: (socket: WebSocket) => Promise<void> },
): TranscriptionChannel {
  const transcription = spec.transcription!;
  let socket: WebSocket | undefined;
  let waiting: string[] = [];
  let packetsSent = 0;
  let failure: string | undefined;
  let closed = false;

  const opening = connectSocket({
    url: transcription.transportUrl,
    token: spec.token,
    callConnectionId: spec.callConnectionId,
    correlationId: spec.correlationId,
    handshakeTimeoutMs: options.handshakeTimeoutMs,
  }).then(
    (opened) => {
      if (closed) {
        opened.terminate();
        return;
      }
      socket = opened;
      socket.on('error', (error) => options.logger.warn({ err: error }, 'transcription socket error'));
      socket.on('close', () => {
        if (!closed) {
          failure = 'the transcription socket closed';
          options.logger.warn({ callConnectionId: spec.callConnectionId }, failure);
        }
        socket = undefined;
      });
      socket.send(
        serializePacket({
          kind: 'TranscriptionMetadata',
          subscriptionId: transcription.subscriptionId,
          locale: transcription.locale,
          callConnectionId: spec.callConnectionId,
          correlationId: spec.correlationId,
          speechRecognitionModelEndpointId: undefined,
          extra: {},
        }),
      );
      for (const text of waiting) transmit(text);
      waiting = [];
    },
    (error: Error) => {
      failure = error.message;
      waiting = [];
      options.logger.warn({ callConnectionId: spec.callConnectionId, err: error }, 'transcription socket failed');
    },
  );

  function transmit(text: string): void {
    socket!.send(text);
    packetsSent++;
  }

  return {
    send(event) {
      if (closed || failure !== undefined) return;
      const text = serializePacket({
        kind: 'TranscriptionData',
        text: event.text,
        format: 'display',
        confidence: event.confidence,
        offsetTicks: event.offsetTicks,
        durationTicks: event.durationTicks,
        words: event.words,
        participantRawID: event.participantRawID,
        resultStatus: event.resultStatus,
        extra: {},
      });
      if (socket !== undefined) transmit(text);
      else if (waiting.length < MAX_WAITING) waiting.push(text);
    },
    get packetsSent() {
      return packetsSent;
    },
    get failure() {
      return failure;
    },
    async close() {
      if (closed) return;
      closed = true;
      await opening;
      if (socket !== undefined) await options.closeSocket(socket);
    },
  };
}
