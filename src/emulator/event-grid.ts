// Event Grid deliveries (docs/protocol.md §3, §5): the SubscriptionValidation handshake once per webhook, then the
// event in the Event Grid schema — Microsoft.Communication.IncomingCall, RecordingFileStatusUpdated.
import { randomUUID } from 'node:crypto';
import type { PendingIncomingCall } from './call-operations.js';
import { rawIdOfNumber } from './identifiers.js';
import { acsErrors } from './rest/acs-errors.js';

const TOPIC = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/emulator/providers/Microsoft.Communication/communicationServices/emulator';

function identifier(value: string) {
  const rawId = rawIdOfNumber(value);
  return rawId.startsWith('4:')
    ? { kind: 'phoneNumber', rawId, phoneNumber: { value: rawId.slice(2) } }
    : { kind: 'communicationUser', rawId, communicationUser: { id: rawId } };
}

async function post(webhook: string, type: 'SubscriptionValidation' | 'Notification', events: unknown[]): Promise<Response> {
  return fetch(webhook, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'aeg-event-type': type },
    body: JSON.stringify(events),
    signal: AbortSignal.timeout(10_000),
  });
}

/** Validates the webhook once (the SubscriptionValidation handshake); throws an ACS-style error when it fails. */
async function validate(webhook: string, validated: Set<string>): Promise<void> {
  if (!validated.has(webhook)) {
    const validationCode = randomUUID();
    const response = await post(webhook, 'SubscriptionValidation', [
      {
        id: randomUUID(),
        topic: TOPIC,
        subject: '',
        data: { validationCode, validationUrl: `${webhook}?validation=${validationCode}` },
        eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
        eventTime: new Date().toISOString(),
        metadataVersion: '1',
        dataVersion: '2',
      },
    ]);
    const answer = (await response.json().catch(() => ({}))) as { validationResponse?: string };
    if (!response.ok || answer.validationResponse !== validationCode) {
      throw acsErrors.badRequest(`The webhook ${webhook} did not answer the Event Grid validation handshake with {"validationResponse": "<code>"}.`);
    }
    validated.add(webhook);
  }
}

/** Validates the webhook (once) and posts one Microsoft.Communication.<name> event; throws when the webhook refuses. */
export async function deliverEventGridEvent(webhook: string, name: string, subject: string, data: Record<string, unknown>, validated: Set<string>): Promise<void> {
  await validate(webhook, validated);
  const response = await post(webhook, 'Notification', [
    {
      id: randomUUID(),
      topic: TOPIC,
      subject,
      data,
      eventType: `Microsoft.Communication.${name}`,
      dataVersion: '1.0',
      metadataVersion: '1',
      eventTime: new Date().toISOString(),
    },
  ]);
  await response.arrayBuffer();
  if (!response.ok) throw acsErrors.badRequest(`The webhook ${webhook} refused the ${name} event with HTTP ${response.status}.`);
}

/** Validates the webhook (once) and posts the IncomingCall event; throws an ACS-style error when the webhook refuses. */
export async function deliverIncomingCall(webhook: string, call: PendingIncomingCall, validated: Set<string>): Promise<void> {
  const from = identifier(call.from);
  const to = identifier(call.to);
  const data = { to, from, serverCallId: call.serverCallId, callerDisplayName: 'Emulated caller', incomingCallContext: call.incomingCallContext, correlationId: call.correlationId };
  await deliverEventGridEvent(webhook, 'IncomingCall', `/caller/${from.rawId}/recipient/${to.rawId}`, data, validated);
}
