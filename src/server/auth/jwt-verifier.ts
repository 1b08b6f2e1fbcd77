// Verifies the JWT ACS puts on every media WebSocket upgrade and every callback POST (docs/protocol.md §3):
// RS256 signature against the published JWKS (cached and refreshed by jose), issuer, audience, expiry with skew.
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { AcsAudioError, ErrorCode, withDefaults } from '../../errors/index.js';

/** ACS Call Automation's issuer and key set (docs/protocol.md §3). */
export const ACS_JWT_ISSUER = 'https://acscallautomation.communication.azure.com';
export const ACS_JWKS_URL = 'https://acscallautomation.communication.azure.com/calling/keys';

/** Options for JWT verification. */
export interface JwtVerifierOptions {
  /** Where the signing keys are published. @default ACS_JWKS_URL */
  jwksUrl?: string;
  /** Expected `iss`. @default ACS_JWT_ISSUER */
  issuer?: string;
  /** Expected `aud`: the ACS resource's immutable resource ID (a GUID). Required. */
  audience: string;
  /** Allowed clock skew in seconds. @default 300 */
  clockToleranceSec?: number;
  /** How long fetched keys are trusted before a refresh, in ms. @default 600000 (10 minutes) */
  cacheMaxAgeMs?: number;
}

/** Every default of createJwtVerifier (the TSDoc `@default` of each field says the same; a test checks). */
export const JWT_VERIFIER_DEFAULTS = {
  jwksUrl: ACS_JWKS_URL,
  issuer: ACS_JWT_ISSUER,
  clockToleranceSec: 300,
  cacheMaxAgeMs: 10 * 60_000,
} as const satisfies Partial<JwtVerifierOptions>;

/** The longest validity accepted (exp − iat, or exp − now without iat). */
const MAX_LIFETIME_S = 24 * 3600;

/** Why a request was refused; stable codes for metrics and logs. */
export const AuthFailure = {
  Missing: 'missing_token',
  Malformed: 'malformed_token',
  Expired: 'expired',
  BadSignature: 'bad_signature',
  UnknownKey: 'unknown_key',
  WrongIssuer: 'wrong_issuer',
  WrongAudience: 'wrong_audience',
  ClaimInvalid: 'claim_invalid',
  /** No `exp`, or valid for longer than a day: a leaked token of that kind would stay usable far too long. */
  LifetimeTooLong: 'lifetime_too_long',
  KeysUnavailable: 'keys_unavailable',
} as const;
export type AuthFailure = (typeof AuthFailure)[keyof typeof AuthFailure];

/** The outcome of one verification: never throws. */
export type AuthResult = { ok: true; claims: JWTPayload } | { ok: false; reason: AuthFailure; detail: string };

/** Verifies `Authorization: Bearer <jwt>` headers. */
export interface JwtVerifier {
  verify(authorization: string | string[] | undefined): Promise<AuthResult>;
}

/** Creates a verifier whose JWKS is fetched lazily, cached and refreshed when an unknown `kid` appears. */
export function createJwtVerifier(given: JwtVerifierOptions): JwtVerifier {
  const options = withDefaults(JWT_VERIFIER_DEFAULTS, given);
  if (!options.audience) {
    throw new AcsAudioError(
      ErrorCode.BadOptions,
      'JWT auth needs an audience: the ACS resource\'s immutable resource ID (Azure portal → resource → Properties), ' +
        'or turn auth off explicitly with --auth off for local development.',
    );
  }
  const issuer = options.issuer;
  const keys = createRemoteJWKSet(new URL(options.jwksUrl), {
    cacheMaxAge: options.cacheMaxAgeMs,
    cooldownDuration: 30_000,
  });
  const verifyOptions = {
    issuer,
    audience: options.audience,
    clockTolerance: options.clockToleranceSec,
    algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256'],
    requiredClaims: ['exp'],
  };

  return {
    async verify(authorization) {
      const header = Array.isArray(authorization) ? authorization[0] : authorization;
      if (!header) return { ok: false, reason: AuthFailure.Missing, detail: 'no Authorization header' };
      const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
      if (!match) return { ok: false, reason: AuthFailure.Malformed, detail: 'Authorization is not "Bearer <token>"' };
      try {
        const { payload } = await jwtVerify(match[1], keys, verifyOptions);
        const from = typeof payload.iat === 'number' ? payload.iat : Math.floor(Date.now() / 1000);
        if (typeof payload.exp === 'number' && payload.exp - from > MAX_LIFETIME_S) {
          return { ok: false, reason: AuthFailure.LifetimeTooLong, detail: `token valid for ${Math.round((payload.exp - from) / 3600)} h; at most 24 h is accepted` };
        }
        return { ok: true, claims: payload };
      } catch (error) {
        return classify(error);
      }
    },
  };
}

function classify(error: unknown): AuthResult {
  const detail = (error as Error)?.message ?? String(error);
  if (error instanceof errors.JWTExpired) return { ok: false, reason: AuthFailure.Expired, detail };
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return { ok: false, reason: AuthFailure.WrongIssuer, detail };
    if (error.claim === 'aud') return { ok: false, reason: AuthFailure.WrongAudience, detail };
    if (error.claim === 'exp') return { ok: false, reason: AuthFailure.LifetimeTooLong, detail: `${detail} (a token without exp is refused)` };
    return { ok: false, reason: AuthFailure.ClaimInvalid, detail };
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return { ok: false, reason: AuthFailure.BadSignature, detail };
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return { ok: false, reason: AuthFailure.UnknownKey, detail };
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || /fetch|ECONNREFUSED|JWKS/i.test(detail)) {
    return { ok: false, reason: AuthFailure.KeysUnavailable, detail };
  }
  return { ok: false, reason: AuthFailure.Malformed, detail };
}
