// The emulator's signing key: JWTs on callback POSTs (5 min) and media WebSocket upgrades (24 h), as ACS sends
// them (docs/protocol.md §3), with the JWKS served at /calling/keys so servers can verify them.
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';

/** Signs the emulator's tokens. */
export interface TokenSigner {
  readonly jwks: { keys: JWK[] };
  sign(lifetimeSeconds: number, claims?: Record<string, unknown>): Promise<string>;
}

/** Creates a fresh RS256 key pair; tokens carry `iss` and `aud` as given. */
export async function createTokenSigner(issuer: string, audience: string): Promise<TokenSigner> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return {
    jwks: { keys: [jwk] },
    async sign(lifetimeSeconds, claims = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(now)
        .setNotBefore(now - 5)
        .setExpirationTime(now + lifetimeSeconds)
        .sign(privateKey);
    },
  };
}
