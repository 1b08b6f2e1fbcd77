// Shared parts for driving the emulator with the official SDK only: an emulator on port 0, a callback receiver that
// parses every event with the SDK's parseCallAutomationEvent, an Event Grid webhook, the SDK's route to recordings,
// and a connected call.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { CallAutomationClient, parseCallAutomationEvent, type CallAutomationEvent } from '@azure/communication-call-automation';
import { createDefaultHttpClient, type HttpClient } from '@azure/core-rest-pipeline';
import { createEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';

/** A received event: the SDK's parse of it, and the raw CloudEvent. */
export interface Received {
  kind: string;
  /** The SDK's parse; the fields most events share, read without narrowing on kind. */
  parsed: CallAutomationEvent & { operationContext?: string; resultInformation?: { code?: number; subCode?: number; message?: string } };
  raw: { type: string; data: Record<string, unknown> };
  path: string;
}

/** A callback receiver on 127.0.0.1:0; every event goes through parseCallAutomationEvent (a parse failure is a 500 and kept). */
export async function startCallbacks(t: TestContext) {
  const events: Received[] = [];
  const parseErrors: string[] = [];
  let wake: Array<() => void> = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString()) as Array<{ type: string; data: Record<string, unknown> }>;
    for (const raw of body) {
      try {
        const parsed = parseCallAutomationEvent(JSON.stringify([raw]));
        events.push({ kind: parsed.kind, parsed: parsed as Received['parsed'], raw, path: req.url ?? '' });
      } catch (error) {
        parseErrors.push(`${raw.type}: ${(error as Error).message}`);
      }
    }
    res.end();
    const w = wake;
    wake = [];
    w.forEach((f) => f());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  /** The `nth` (0-based) event of `kind` received; waits for it. */
  async function waitFor(kind: string, nth = 0): Promise<Received> {
    for (;;) {
      const found = events.filter((e) => e.kind === kind)[nth];
      if (found) return found;
      if (parseErrors.length) throw new Error(`parseCallAutomationEvent refused: ${parseErrors.join('; ')}`);
      await new Promise<void>((r) => wake.push(r));
    }
  }
  return { url, events, parseErrors, waitFor };
}

/** An emulator on port 0 (closed after the test) and an SDK client for it. */
export async function startEmulator(t: TestContext, options: EmulatorOptions = {}): Promise<{ emulator: Emulator; client: CallAutomationClient }> {
  const emulator = createEmulator({ port: 0, speed: 10, ...options });
  const { connectionString } = await emulator.listen();
  t.after(() => emulator.close());
  return { emulator, client: new CallAutomationClient(connectionString, { allowInsecureConnection: true }) };
}

/** Creates a call to a phone number through the SDK and waits for CallConnected. */
export async function connectedCall(client: CallAutomationClient, callbacks: Awaited<ReturnType<typeof startCallbacks>>, to = '+15551234567') {
  const result = await client.createCall({ targetParticipant: { phoneNumber: to }, sourceCallIdNumber: { phoneNumber: '+15550000000' } }, `${callbacks.url}/cb`);
  await callbacks.waitFor('CallConnected');
  return { id: result.callConnectionProperties.callConnectionId!, connection: result.callConnection, media: result.callConnection.getCallMedia() };
}

/** An Event Grid webhook: answers the validation handshake and keeps every notification (`onEvent` hears each). */
export async function startEventGrid(t: TestContext, onEvent?: (event: { eventType: string; data: Record<string, unknown> }) => void) {
  const events: Array<{ eventType: string; data: Record<string, unknown> }> = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString()) as Array<{ eventType: string; data: Record<string, unknown> }>;
    if (body[0]?.eventType === 'Microsoft.EventGrid.SubscriptionValidationEvent') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ validationResponse: body[0].data.validationCode }));
    }
    events.push(...body);
    res.end();
    for (const event of body) onEvent?.(event);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/eventgrid`, events };
}

/** The SDK downloads recordings only from https://*.asm.skype.com: this HTTP client routes that host to the emulator. */
export function routeStorageTo(emulatorUrl: string): HttpClient {
  const inner = createDefaultHttpClient();
  return {
    sendRequest(request) {
      const url = new URL(request.url);
      if (url.hostname.endsWith('.asm.skype.com')) {
        request.url = `${emulatorUrl}${url.pathname}`;
        request.allowInsecureConnection = true;
      }
      return inner.sendRequest(request);
    },
  };
}
