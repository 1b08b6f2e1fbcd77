// Small HTTP plumbing the server's routes share: JSON replies, ACS-style error bodies, bounded body reads.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AcsAudioError } from '../errors/index.js';

/** An HTTP error with a stable code; rendered as `{"error":{"code","message"}}`. */
export class HttpError extends AcsAudioError {
  override name = 'HttpError';

  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

/** Writes a JSON body with a status. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Writes an error as JSON: HttpError keeps its status and code; anything else is a 500. */
export function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof HttpError) {
    sendJson(res, error.status, { error: { code: error.code, message: error.message } });
  } else {
    sendJson(res, 500, { error: { code: 'internal_error', message: (error as Error)?.message ?? String(error) } });
  }
}

/** Reads a request body up to `limit` bytes; past it, a 413 HttpError. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new HttpError(413, 'body_too_large', `The body is ${declared} bytes; the limit is ${limit}.`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > limit) throw new HttpError(413, 'body_too_large', `The body exceeds the limit of ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, total);
}

/** Reads and parses a JSON body; a 400 HttpError naming the problem when it is not JSON. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const body = await readBody(req, limit);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (cause) {
    throw new HttpError(400, 'invalid_json', `The body is not valid JSON: ${(cause as Error).message}`);
  }
}
