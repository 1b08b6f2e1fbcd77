import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { AuthFailure, createJwtVerifier, type JwtVerifier } from '../../../src/server/auth/jwt-verifier.js';

const ISSUER = 'https://acscallautomation.communication.azure.com';
const AUDIENCE = '0c8b3a5e-2f4d-4a51-9d6e-0a1b2c3d4e5f';
let jwksServer: Server;
let verifier: JwtVerifier;
let signingKey: CryptoKey;
let strangerKey: CryptoKey;

before(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  signingKey = pair.privateKey as CryptoKey;
  strangerKey = (await generateKeyPair('RS256')).privateKey as CryptoKey;
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  jwksServer = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
  const { port } = jwksServer.address() as AddressInfo;
  verifier = createJwtVerifier({ jwksUrl: `http://127.0.0.1:${port}/calling/keys`, audience: AUDIENCE, clockToleranceSec: 60 });
});
after(() => jwksServer.close());

function token(claims: { iss?: string; aud?: string; expSecondsFromNow?: number; key?: CryptoKey; kid?: string } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: claims.kid ?? 'key-1' })
    .setIssuer(claims.iss ?? ISSUER)
    .setAudience(claims.aud ?? AUDIENCE)
    .setIssuedAt(now - 10)
    .setExpirationTime(now + (claims.expSecondsFromNow ?? 300))
    .sign(claims.key ?? signingKey);
}

test('accepts a token signed by a published key with the right issuer and audience', async () => {
  const result = await verifier.verify(`Bearer ${await token()}`);
  assert.equal(result.ok, true);
});

test('refuses a missing header and a header that is not a bearer token', async () => {
  assert.deepEqual((await verifier.verify(undefined)).ok, false);
  const missing = await verifier.verify(undefined);
  assert.equal(!missing.ok && missing.reason, AuthFailure.Missing);
  const basic = await verifier.verify('Basic dXNlcjpwYXNz');
  assert.equal(!basic.ok && basic.reason, AuthFailure.Malformed);
});

test('refuses a forged token: same kid, signed with another key', async () => {
  const result = await verifier.verify(`Bearer ${await token({ key: strangerKey })}`);
  assert.equal(!result.ok && result.reason, AuthFailure.BadSignature);
});

test('refuses a token whose key id is not published', async () => {
  const result = await verifier.verify(`Bearer ${await token({ key: strangerKey, kid: 'unknown-key' })}`);
  assert.equal(!result.ok && result.reason, AuthFailure.UnknownKey);
});

test('refuses an expired token beyond the clock skew, accepts one within it', async () => {
  const expired = await verifier.verify(`Bearer ${await token({ expSecondsFromNow: -120 })}`);
  assert.equal(!expired.ok && expired.reason, AuthFailure.Expired);
  const withinSkew = await verifier.verify(`Bearer ${await token({ expSecondsFromNow: -30 })}`);
  assert.equal(withinSkew.ok, true);
});

test('refuses a token without exp, and one valid for more than 24 h', async () => {
  const noExp = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'key-1' }).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().sign(signingKey);
  const missing = await verifier.verify(`Bearer ${noExp}`);
  assert.equal(!missing.ok && missing.reason, AuthFailure.LifetimeTooLong);
  const long = await verifier.verify(`Bearer ${await token({ expSecondsFromNow: 25 * 3600 })}`);
  assert.equal(!long.ok && long.reason, AuthFailure.LifetimeTooLong);
  assert.equal((await verifier.verify(`Bearer ${await token({ expSecondsFromNow: 23 * 3600 })}`)).ok, true);
});

test('refuses the wrong audience and the wrong issuer', async () => {
  const audience = await verifier.verify(`Bearer ${await token({ aud: 'another-resource' })}`);
  assert.equal(!audience.ok && audience.reason, AuthFailure.WrongAudience);
  const issuer = await verifier.verify(`Bearer ${await token({ iss: 'https://evil.example' })}`);
  assert.equal(!issuer.ok && issuer.reason, AuthFailure.WrongIssuer);
});

test('refuses garbage that is not a JWT', async () => {
  const result = await verifier.verify('Bearer not.a.jwt');
  assert.equal(result.ok, false);
});

test('construction without an audience fails with a message that says what to do', () => {
  assert.throws(() => createJwtVerifier({ audience: '' }), /immutable resource ID|--auth off/);
});
