// Event Grid deliveries on /api/incoming-call (docs/protocol.md §3, §5): the SubscriptionValidation handshake, the
// CloudEvents OPTIONS handshake, and Microsoft.Communication.IncomingCall answered through the official SDK.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { CallAutomationClient } from '@azure/communication-call-automation';
import { answerIncomingCall, type StreamingChoice } from '../calls/index.js';
import { HttpError, readJson, sendJson } from './http-io.js';
import type { CallRegistry } from './call-events.js';

/** What answering needs: the SDK client, the URLs ACS must reach, and the streaming choice. */
export interface IncomingCallOptions {
  client: CallAutomationClient | undefined;
  callbackUrl: () => string;
  streaming: () => StreamingChoice;
  calls: CallRegistry;
  logger: Logger;
  bodyLimit: number;
}

interface EventGridEvent {
  eventType?: string;
  type?: string;
  data?: { validationCode?: string; incomingCallContext?: string; from?: { rawId?: string }; to?: { rawId?: string } };
}

/** Handles one request on /api/incoming-call. */
export async function handleIncomingCall(req: IncomingMessage, res: ServerResponse, options: IncomingCallOptions): Promise<void> {
  if (req.method === 'OPTIONS') {
    // CloudEvents webhook validation: echo the origin back as allowed.
    const origin = req.headers['webhook-request-origin'];
    res.writeHead(200, { 'webhook-allowed-origin': typeof origin === 'string' ? origin : '*', allow: 'POST' });
    res.end();
    return;
  }
  if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Use POST (Event Grid delivers events by POST).');
  const body = await readJson(req, options.bodyLimit);
  const events = (Array.isArray(body) ? body : [body]) as EventGridEvent[];
  const answered: string[] = [];
  for (const event of events) {
    const type = event.eventType ?? event.type;
    if (type === 'Microsoft.EventGrid.SubscriptionValidationEvent' || req.headers['aeg-event-type'] === 'SubscriptionValidation') {
      const code = event.data?.validationCode;
      if (!code) throw new HttpError(400, 'missing_validation_code', 'A SubscriptionValidation event must carry data.validationCode.');
      options.logger.info('answered the Event Grid subscription validation handshake');
      sendJson(res, 200, { validationResponse: code });
      return;
    }
    if (type === 'Microsoft.Communication.IncomingCall') {
      answered.push(await answer(event, options));
    }
  }
  sendJson(res, 200, { answered });
}

async function answer(event: EventGridEvent, options: IncomingCallOptions): Promise<string> {
  const context = event.data?.incomingCallContext;
  if (!context) throw new HttpError(400, 'missing_incoming_call_context', 'An IncomingCall event must carry data.incomingCallContext.');
  if (!options.client) {
    throw new HttpError(
      503,
      'no_connection_string',
      'This server cannot answer calls: start it with --connection-string (or ACS_CONNECTION_STRING).',
    );
  }
  const properties = await answerIncomingCall(options.client, {
    ...options.streaming(),
    incomingCallContext: context,
    callbackUrl: options.callbackUrl(),
  });
  const id = properties.callConnectionId ?? '';
  options.calls.noteSubscription(id, properties.mediaStreamingSubscription?.id);
  options.logger.info({ callConnectionId: id, from: event.data?.from?.rawId }, 'answered an incoming call');
  return id;
}
