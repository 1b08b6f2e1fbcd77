// The emulator driven by the official SDK, as an app would drive real ACS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { CallAutomationClient, StreamingData, parseCallAutomationEvent } from '@azure/communication-call-automation';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { getIdentifierRawId, type CommunicationIdentifier } from '@azure/communication-common';
import { WebSocketServer, type WebSocket } from 'ws';
import { computeSignature, contentHash, createEmulator, type Emulator } from '../../src/emulator/index.js';
import { createCallClient, createStreamingCall } from '../../src/calls/index.js';
import { waitUntil } from '../wait-until.js';

/** A callback receiver on port 0 that keeps every event and its Authorization header. */
async function startCallbackServer() {
  const events: Array<{ type: string; body: unknown; authorization: string | undefined; path: string }> = [];
  const waiters: Array<() => void> = [];
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString());
    for (const event of body) events.push({ type: event.type.replace('Microsoft.Communication.', ''), body: [event], authorization: req.headers.authorization, path: req.url ?? '' });
    res.end();
    waiters.splice(0).forEach((w) => w());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  async function waitFor(type: string, path?: string) {
    for (;;) {
      const found = events.find((e) => e.type === type && (path === undefined || e.path === path));
      if (found) return found;
      await new Promise<void>((r) => waiters.push(r));
    }
  }
  return { url, events, waitFor, close: () => server.close() };
}

/** A plain ws server, as a customer would run, that keeps every message. */
async function startMediaReceiver() {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  const messages: string[] = [];
  const sockets: WebSocket[] = [];
  const headers: Array<Record<string, unknown>> = [];
  wss.on('connection', (ws, req) => {
    sockets.push(ws);
    headers.push(req.headers);
    ws.on('message', (data) => messages.push(String(data)));
  });
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`, messages, sockets, headers, close: () => wss.close() };
}

async function withEmulator(body: (emulator: Emulator, connectionString: string) => Promise<void>) {
  const emulator = createEmulator({ port: 0, speed: 10 });
  const { connectionString } = await emulator.listen();
  try {
    await body(emulator, connectionString);
  } finally {
    await emulator.close();
  }
}

test('the HMAC signature matches the documented test vector (docs/protocol.md §4)', () => {
  const hash = contentHash('{"operationContext":"startCtx"}');
  assert.equal(hash, 'uBmMY5OWt0kQGOG+aR0FwWldiO69ijxVDToZB8bOq9Y=');
  const signature = computeSignature(
    'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=',
    'POST',
    '/calling/callConnections/abc:startMediaStreaming?api-version=2026-03-12',
    'Tue, 24 Nov 2026 22:07:32 GMT',
    'contoso.communication.azure.com',
    hash,
  );
  assert.equal(signature, '+k/50LWwoUm8MtdS4bCWwcnJ6dnP2awO0Ho65NH08Zs=');
});

test('a call created through the SDK connects, streams real audio to a plain ws server, stops and hangs up', async () => {
  await withEmulator(async (emulator, connectionString) => {
    const callbacks = await startCallbackServer();
    const media = await startMediaReceiver();
    const client = createCallClient(connectionString);
    const call = await createStreamingCall(client, {
      to: '+15551234567',
      from: '+15550000000',
      callbackUrl: `${callbacks.url}/api/callbacks`,
      streamUrl: media.url,
      channel: 'unmixed',
      format: 'pcm24k',
      startNow: true,
    });
    assert.equal(call.callConnectionState, 'connecting');
    const subscriptionId = call.mediaStreamingSubscription?.id;
    assert.ok(subscriptionId);

    const connected = await callbacks.waitFor('CallConnected');
    assert.equal((parseCallAutomationEvent(JSON.stringify(connected.body)) as { kind: string }).kind, 'CallConnected');
    const started = await callbacks.waitFor('MediaStreamingStarted');
    const parsed = parseCallAutomationEvent(JSON.stringify(started.body)) as { kind: string; mediaStreamingUpdate?: { mediaStreamingStatus?: string } };
    assert.equal(parsed.mediaStreamingUpdate?.mediaStreamingStatus, 'mediaStreamingStarted');

    await waitUntil(() => media.messages.length >= 20, { intervalMs: 20, message: () => `20 media packets (${media.messages.length} so far)` });
    const first = JSON.parse(media.messages[0]);
    assert.equal(first.kind, 'AudioMetadata');
    assert.equal(first.audioMetadata.subscriptionId, subscriptionId, 'metadata links the socket to the call');
    assert.equal(first.audioMetadata.sampleRate, 24000);
    const audio = StreamingData.parse(media.messages[1]) as { participant?: CommunicationIdentifier; data: string };
    assert.equal(audio.participant && getIdentifierRawId(audio.participant), '4:+15551234567');
    assert.equal(Buffer.from(audio.data, 'base64').length, 960);
    assert.match(String(media.headers[0].authorization), /^Bearer /);
    assert.equal(media.headers[0]['x-ms-call-connection-id'], call.callConnectionId);

    const connection = client.getCallConnection(call.callConnectionId!);
    const properties = await connection.getCallConnectionProperties();
    assert.equal(properties.callConnectionState, 'connected');
    assert.equal(properties.mediaStreamingSubscription?.state, 'active');
    const participants = await connection.listParticipants();
    assert.deepEqual(participants.values?.map((p) => p.identifier && 'phoneNumber' in p.identifier ? p.identifier.phoneNumber : ''), ['+15551234567']);

    const socketClosed = once(media.sockets[0], 'close');
    await connection.getCallMedia().stopMediaStreaming({ operationContext: 'stop-ctx' });
    await callbacks.waitFor('MediaStreamingStopped');
    await socketClosed;

    await connection.hangUp(true);
    const disconnected = await callbacks.waitFor('CallDisconnected');
    assert.equal((parseCallAutomationEvent(JSON.stringify(disconnected.body)) as { kind: string }).kind, 'CallDisconnected');
    assert.equal(emulator.getCall(call.callConnectionId!)?.state, 'disconnected');

    // Every callback carried a JWT that verifies against the emulator's JWKS.
    const keys = createRemoteJWKSet(new URL(emulator.jwksUrl));
    const token = String(connected.authorization).replace('Bearer ', '');
    const { payload } = await jwtVerify(token, keys, { issuer: emulator.issuer, audience: emulator.audience });
    assert.ok(payload.exp! - payload.iat! <= 300);
    callbacks.close();
    media.close();
  });
});

test('startMediaStreaming later, with operationCallbackUri overriding the callback URI', async () => {
  await withEmulator(async (_emulator, connectionString) => {
    const callbacks = await startCallbackServer();
    const media = await startMediaReceiver();
    const client = createCallClient(connectionString);
    const call = await createStreamingCall(client, { to: '+15551234567', callbackUrl: `${callbacks.url}/default`, streamUrl: media.url });
    await callbacks.waitFor('CallConnected');
    const callMedia = client.getCallConnection(call.callConnectionId!).getCallMedia();
    await callMedia.startMediaStreaming({ operationContext: 'start-ctx', operationCallbackUrl: `${callbacks.url}/override` });
    const started = await callbacks.waitFor('MediaStreamingStarted', '/override');
    assert.equal((started.body as Array<{ data: { operationContext: string } }>)[0].data.operationContext, 'start-ctx');
    await callMedia.stopMediaStreaming();
    const stopped = await callbacks.waitFor('MediaStreamingStopped', '/override');
    assert.equal((stopped.body as Array<{ data: { operationContext: string } }>)[0].data.operationContext, 'start-ctx', 'Stopped repeats the start context');
    callbacks.close();
    media.close();
  });
});

test('a wrong access key gets 401, an unknown call 404, an invalid body 400', async () => {
  await withEmulator(async (_emulator, connectionString) => {
    const wrong = connectionString.replace(/accesskey=.*/, `accesskey=${Buffer.alloc(32, 7).toString('base64')}`);
    const badClient = new CallAutomationClient(wrong, { allowInsecureConnection: true });
    await assert.rejects(badClient.getCallConnection('any').getCallConnectionProperties(), (error: { statusCode?: number }) => error.statusCode === 401);
    const client = createCallClient(connectionString);
    await assert.rejects(client.getCallConnection('no-such-call').getCallConnectionProperties(), (error: { statusCode?: number }) => error.statusCode === 404);
    await assert.rejects(
      client.createCall({ targetParticipant: { phoneNumber: '+15551234567' } }, 'not a url', { mediaStreamingOptions: { transportType: 'websocket', audioChannelType: 'mixed', transportUrl: 'https://wrong.scheme' } }),
      (error: { statusCode?: number }) => error.statusCode === 400,
    );
  });
});

test('an incoming call: Event Grid handshake, then IncomingCall answered through the SDK with its context', async () => {
  const media = await startMediaReceiver();
  const callbacks = await startCallbackServer();
  let validated = false;
  let incomingContext = '';
  const webhook = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const [event] = JSON.parse(Buffer.concat(chunks).toString());
    if (req.headers['aeg-event-type'] === 'SubscriptionValidation') {
      validated = true;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ validationResponse: event.data.validationCode }));
      return;
    }
    incomingContext = event.data.incomingCallContext;
    res.end();
  });
  webhook.listen(0, '127.0.0.1');
  await once(webhook, 'listening');
  await withEmulator(async (emulator, connectionString) => {
    await emulator.incomingCall({ from: '+15550001111', to: '+15550002222', webhook: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/api/incoming-call` });
    assert.equal(validated, true);
    assert.ok(incomingContext);
    const client = createCallClient(connectionString);
    const answered = await client.answerCall(incomingContext, `${callbacks.url}/cb`, {
      mediaStreamingOptions: { transportType: 'websocket', audioChannelType: 'mixed', transportUrl: media.url, startMediaStreaming: true },
    });
    assert.equal(answered.callConnectionProperties.callConnectionState, 'connecting');
    await callbacks.waitFor('MediaStreamingStarted');
    await waitUntil(() => media.messages.length >= 5, { intervalMs: 20, message: () => `5 media packets (${media.messages.length} so far)` });
    const audio = StreamingData.parse(media.messages[1]) as { data: string };
    assert.equal(Buffer.from(audio.data, 'base64').length, 640);
    await assert.rejects(client.answerCall(incomingContext, `${callbacks.url}/cb`), (error: { statusCode?: number }) => error.statusCode === 404, 'a context answers once');
  });
  webhook.close();
  callbacks.close();
  media.close();
});

test('play of a readable file completes and of a missing file fails, as callback events', async () => {
  await withEmulator(async (_emulator, connectionString) => {
    const callbacks = await startCallbackServer();
    const client = createCallClient(connectionString);
    const call = await createStreamingCall(client, { to: '+15551234567', callbackUrl: `${callbacks.url}/cb`, streamUrl: 'ws://127.0.0.1:9/ws' });
    await callbacks.waitFor('CallConnected');
    const callMedia = client.getCallConnection(call.callConnectionId!).getCallMedia();
    const greeting = new URL('../../fixtures/greeting/greeting.wav', import.meta.url).href;
    await callMedia.playToAll([{ kind: 'fileSource', url: greeting }], { operationContext: 'greet' });
    await callbacks.waitFor('PlayCompleted');
    await callMedia.playToAll([{ kind: 'fileSource', url: 'file:///no/such/file.wav' }]);
    await callbacks.waitFor('PlayFailed');
    callbacks.close();
  });
});
