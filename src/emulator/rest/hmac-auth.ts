// HMAC-SHA256 request signing exactly as the SDK's access-key credential signs (docs/protocol.md §4):
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

/** How far a request's x-ms-date may be from the emulator's clock, as ACS allows. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** What is wrong with a request's date, or undefined when it is within the allowed skew of `now`. */
export function checkRequestDate(date: string | undefined, now = Date.now()): string | undefined {
  if (!date) return 'x-ms-date is missing (the SDK sets it; a hand-made request must send an RFC 1123 date)';
  const at = Date.parse(date);
  if (Number.isNaN(at)) return `x-ms-date "${date}" is not an RFC 1123 date`;
  const skew = Math.abs(now - at);
  if (skew > MAX_CLOCK_SKEW_MS) {
    return `x-ms-date "${date}" is ${Math.round(skew / 60_000)} minutes from the emulator's clock (at most 15 allowed; check the client's clock)`;
  }
  return undefined;
}

/** Checks a request's HMAC signature; returns what is wrong, or undefined when it is right. */
export function checkHmac(accessKey: string, request: SignedRequest, now = Date.now()): string | undefined {
  const authorization = header(request.headers, 'authorization');
  const date = header(request.headers, 'x-ms-date') ?? header(request.headers, 'date');
  const host = header(request.headers, 'host');
  const claimedHash = header(request.headers, 'x-ms-content-sha256');
  if (!authorization) return 'no Authorization header (use the connection string the emulator printed)';
  const match = /^HMAC-SHA256 SignedHeaders=([^&]+)&Signature=(.+)$/.exec(authorization);
  if (!match) return 'Authorization is not "HMAC-SHA256 SignedHeaders=...&Signature=..."';
  const dateProblem = checkRequestDate(date, now);
  if (dateProblem) return dateProblem;
  if (!date || !host || !claimedHash) return 'host or x-ms-content-sha256 is missing';
  const actualHash = contentHash(request.body);
  if (claimedHash !== actualHash) return 'x-ms-content-sha256 does not match the body';
  const expected = Buffer.from(computeSignature(accessKey, request.method, request.pathAndQuery, date, host, actualHash), 'base64');
  const given = Buffer.from(match[2], 'base64');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return 'signature mismatch: the access key differs from the emulator\'s';
  }
  return undefined;
}

/** Whether a socket's remote address is this machine (the admin API's default audience). */
export function isLoopback(address: string | undefined): boolean {
  return !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}
