// JWT auth on the media server, end to end: the emulator signs as ACS does; anything else is refused before upgrade.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { pino } from 'pino';
import { SignJWT, generateKeyPair } from 'jose';
import { WebSocket } from 'ws';
import { createMediaServer, type MediaSession } from '../../src/server/index.js';
import { createEmulator } from '../../src/emulator/index.js';
import { createCallClient, createStreamingCall } from '../../src/calls/index.js';

async function upgradeStatus(url: string, authorization?: string): Promise<number> {
  const ws = new WebSocket(url, { headers: authorization ? { authorization } : {} });
  const result = await Promise.race([
    once(ws, 'unexpected-response').then(([, response]) => (response as { statusCode: number }).statusCode),
    once(ws, 'open').then(() => 101),
  ]);
  ws.terminate();
  return result;
}

test('with --auth jwt the server takes the emulator-signed stream and callbacks, and refuses the rest with 401', async () => {
  const emulator = createEmulator({ port: 0, speed: 10 });
  const { connectionString } = await emulator.listen();
  const server = createMediaServer({
    port: 0,
    recordingsDir: null,
    logger: pino({ level: 'silent' }),
    auth: { jwksUrl: emulator.jwksUrl, issuer: emulator.issuer, audience: emulator.audience },
  });
  const { url, wsUrl } = await server.listen();
  try {
    const sessionReady = new Promise<MediaSession>((resolve) => server.on('session', resolve));
    const connected = new Promise<void>((resolve) => server.on('callback', (event) => event.type === 'CallConnected' && resolve()));
    const call = await createStreamingCall(createCallClient(connectionString), {
      to: '+15551234567',
      callbackUrl: `${url}/api/callbacks`,
      streamUrl: wsUrl,
      startNow: true,
    });
    await connected;
    const session = await sessionReady;
    assert.equal(session.subscriptionId, call.mediaStreamingSubscription?.id);

    assert.equal(await upgradeStatus(wsUrl), 401, 'no token');
    assert.equal(await upgradeStatus(wsUrl, 'Bearer not-a-jwt'), 401, 'garbage token');
    const stranger = (await generateKeyPair('RS256')).privateKey;
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'made-up' })
      .setIssuer(emulator.issuer)
      .setAudience(emulator.audience)
      .setExpirationTime('5m')
      .sign(stranger);
    assert.equal(await upgradeStatus(wsUrl, `Bearer ${forged}`), 401, 'forged token');

    const unsigned = await fetch(`${url}/api/callbacks`, { method: 'POST', body: '[]' });
    assert.equal(unsigned.status, 401);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /acs_audio_auth_failures_total\{surface="ws",reason="missing_token"\} 1/);
    assert.match(metrics, /acs_audio_auth_failures_total\{surface="callback",reason="missing_token"\} 1/);
  } finally {
    await emulator.close();
    await server.close();
  }
});
