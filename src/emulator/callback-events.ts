// Call Automation callback events as ACS posts them (docs/protocol.md §5): CloudEvents 1.0 arrays with the real type
// names and data fields, each POST carrying a JWT signed by the emulator. Delivery failures are counted, never fatal.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CallRecord } from './call-store.js';
import { identifierOf } from './identifiers.js';
import type { TokenSigner } from './token-signer.js';

const EVENT_VERSION = '2024-06-15-preview';

/** resultInformation of an event. */
export interface ResultInformation {
  code: number;
  subCode: number;
  message: string;
}

export const RESULT_OK: ResultInformation = { code: 200, subCode: 0, message: 'Action completed successfully.' };

/** Builds one CloudEvent for a call. */
export function buildCallEvent(call: CallRecord, name: string, fields: Record<string, unknown> = {}, time = new Date()): Record<string, unknown> {
  const source = `calling/callConnections/${call.callConnectionId}`;
  return {
    id: randomUUID(),
    source,
    type: `Microsoft.Communication.${name}`,
    data: {
      eventSource: source,
      version: EVENT_VERSION,
      callConnectionId: call.callConnectionId,
      serverCallId: call.serverCallId,
      correlationId: call.correlationId,
      publicEventType: `Microsoft.Communication.${name}`,
      ...fields,
    },
    time: time.toISOString(),
    specversion: '1.0',
    datacontenttype: 'application/json',
    subject: source,
  };
}

/** The data of a MediaStreaming* event. */
export function streamingFields(status: string, details: string, result: ResultInformation, operationContext?: string) {
  return {
    operationContext,
    resultInformation: result,
    mediaStreamingUpdate: { contentType: 'Audio', mediaStreamingStatus: status, mediaStreamingStatusDetails: details },
  };
}

/** The data of a ParticipantsUpdated event. */
export function participantsFields(call: CallRecord, sequenceNumber: number) {
  return {
    participants: call.participants.map((rawId) => ({ identifier: identifierOf(rawId), isMuted: false, isOnHold: false })),
    sequenceNumber,
  };
}

/** Counters of callback delivery. */
export interface DeliveryStats {
  posted: number;
  failed: number;
}

/** Posts callback events; one POST per event, as ACS usually does. A call's events go one after the other, in the
 *  order they happened (two POSTs in flight at once could arrive either way round: MediaStreamingStopped after
 *  CallDisconnected); different calls' events go in parallel. */
export class CallbackSender {
  readonly stats: DeliveryStats = { posted: 0, failed: 0 };
  private pending = new Set<Promise<void>>();
  /** Each call's last delivery, which its next one waits for. */
  private readonly lastOfCall = new WeakMap<CallRecord, Promise<void>>();

  constructor(
    private readonly signer: TokenSigner,
    private readonly logger: Logger,
  ) {}

  /** Sends `event` for `call` to `uri` (or the call's callback URI); resolves when delivered or given up. */
  post(call: CallRecord, event: Record<string, unknown>, uri = call.callbackUri): Promise<void> {
    const type = String(event.type).replace('Microsoft.Communication.', '');
    const record = { type, time: String(event.time), delivered: false };
    call.events.push(record);
    const previous = this.lastOfCall.get(call) ?? Promise.resolve();
    const delivery = previous.then(() => this.deliver(uri, [event])).then((ok) => {
      record.delivered = ok;
    });
    this.lastOfCall.set(call, delivery);
    this.pending.add(delivery);
    void delivery.finally(() => this.pending.delete(delivery));
    return delivery;
  }

  /** Waits for every delivery in flight. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private async deliver(uri: string, body: unknown[]): Promise<boolean> {
    try {
      const token = await this.signer.sign(300);
      const response = await fetch(uri, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      this.stats.posted++;
      return true;
    } catch (error) {
      this.stats.failed++;
      this.logger.warn({ uri, err: (error as Error).message }, 'emulator: callback delivery failed');
      return false;
    }
  }
}
