// HMAC-SHA256 request signing exactly as the SDK's access-key credential signs (PROTOCOL.md §4):
// stringToSign = METHOD \n pathAndQuery \n x-ms-date;host;contentHash, keyed with the base64-decoded access key.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** base64(sha256(body)). */
export function contentHash(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('base64');
}

/** The signature the SDK computes for one request. */
export function computeSignature(accessKey: string, method: string, pathAndQuery: string, date: string, host: string, hash: string): string {
  const stringToSign = `${method.toUpperCase()}\n${pathAndQuery}\n${date};${host};${hash}`;
  return createHmac('sha256', Buffer.from(accessKey, 'base64')).update(stringToSign, 'utf8').digest('base64');
}

/** What a request brings for the check. */
export interface SignedRequest {
  method: string;
  /** Path and query exactly as sent (`/calling/...?api-version=...`). */
  pathAndQuery: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Checks a request's HMAC signature; returns what is wrong, or undefined when it is right. */
export function checkHmac(accessKey: string, request: SignedRequest): string | undefined {
  const authorization = header(request.headers, 'authorization');
  const date = header(request.headers, 'x-ms-date') ?? header(request.headers, 'date');
  const host = header(request.headers, 'host');
  const claimedHash = header(request.headers, 'x-ms-content-sha256');
  if (!authorization) return 'no Authorization header (use the connection string the emulator printed)';
  const match = /^HMAC-SHA256 SignedHeaders=([^&]+)&Signature=(.+)$/.exec(authorization);
  if (!match) return 'Authorization is not "HMAC-SHA256 SignedHeaders=...&Signature=..."';
  if (!date || !host || !claimedHash) return 'x-ms-date, host or x-ms-content-sha256 is missing';
  const actualHash = contentHash(request.body);
  if (claimedHash !== actualHash) return 'x-ms-content-sha256 does not match the body';
  const expected = Buffer.from(computeSignature(accessKey, request.method, request.pathAndQuery, date, host, actualHash), 'base64');
  const given = Buffer.from(match[2], 'base64');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return 'signature mismatch: the access key differs from the emulator\'s';
  }
  return undefined;
}
