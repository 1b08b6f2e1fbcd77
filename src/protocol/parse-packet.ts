// parsePacket: one WebSocket message from ACS → a typed inbound packet or a typed rejection (docs/protocol.md §1).
// AudioData, 50 messages a second per speaker, first tries the fast path (fast-audio-data.ts); everything else, and
// anything unusual, goes through the general path here. Pure: no state between calls, never throws.

import { isUtf8 } from 'node:buffer';
import { parseAudioDataFast } from './fast-audio-data.js';
import { field, isJsonObject } from './json-fields.js';
import { InboundKind, type ParseResult, type PacketRejection } from './packets.js';
import type { ParseOptions } from './parse-options.js';
import { parseAudioDataBody, parseAudioMetadataBody, parseDtmfDataBody } from './parse-media-body.js';
import { parseTranscriptionDataText, parseTranscriptionMetadataBody } from './parse-transcription-body.js';
import { describe, reject } from './rejection.js';

/** What a WebSocket message can arrive as (`ws` gives a Buffer; browsers a string or an ArrayBuffer). */
export type WireData = string | Uint8Array | ArrayBuffer;

/** Marks a rejection produced by an unexpected exception: a parser bug, never an input problem. */
export const INTERNAL_ERROR_PREFIX = 'internal parser error';

const KIND_BY_LOWER: ReadonlyMap<string, InboundKind> = new Map(
  Object.values(InboundKind).map((kind) => [kind.toLowerCase(), kind] as const),
);

/** A Buffer over the bytes (no copy), the string as is; undefined for anything else. */
export function toBufferOrString(data: unknown): Buffer | string | undefined {
  if (typeof data === 'string' || Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return undefined;
}

/** The rejection for input that is not text, too large, or not UTF-8; undefined when it may be read. */
export function checkInput(input: Buffer | string | undefined, data: unknown, maxBytes: number | undefined): PacketRejection | undefined {
  if (input === undefined) {
    const type = data === null ? 'null' : Array.isArray(data) ? 'array' : typeof data;
    return reject('not_text', `A message must be text (a string, Buffer or ArrayBuffer of UTF-8 JSON), got ${type}`);
  }
  if (maxBytes !== undefined) {
    const size = typeof input === 'string' ? (input.length > maxBytes ? input.length : Buffer.byteLength(input)) : input.length;
    if (size > maxBytes) return reject('too_large', `The message has at least ${size} bytes, more than the limit of ${maxBytes} (the maxBytes option)`);
  }
  if (typeof input !== 'string' && !isUtf8(input)) {
    return reject('invalid_utf8', `The message (${input.length} bytes) is not valid UTF-8; ACS sends UTF-8 JSON text frames`);
  }
  return undefined;
}

/** The JSON text's root object, or the rejection. */
export function readRootObject(text: string): { ok: true; root: Record<string, unknown> } | PacketRejection {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (cause) {
    return reject('invalid_json', `The message is not JSON (${(cause as Error).message}): ${describe(text)}`);
  }
  if (!isJsonObject(root)) return reject('not_object', `The message must be a JSON object {"kind": ..., ...}, got ${describe(root)}`);
  return { ok: true, root };
}

/** The lower-camel body key of a kind: AudioData → audioData. */
export function bodyKeyOf(kind: string): string {
  return kind.charAt(0).toLowerCase() + kind.slice(1);
}

/** The general path: JSON.parse, then the rules of each kind. Same results as parsePacket, only slower. */
export function parsePacketGeneral(data: WireData, options: ParseOptions = {}): ParseResult {
  const input = toBufferOrString(data);
  const refused = checkInput(input, data, options.maxBytes);
  if (refused !== undefined) return refused;
  const text = typeof input === 'string' ? input : (input as Buffer).toString('utf8');
  const read = readRootObject(text);
  if (!read.ok) return read;
  const root = read.root;
  const claimed = field(root, 'kind');
  if (typeof claimed !== 'string') {
    return reject('missing_kind', `The message has no "kind" string (expected e.g. "AudioData"), got ${describe(claimed)}`);
  }
  const kind = KIND_BY_LOWER.get(claimed.toLowerCase());
  if (kind === undefined) {
    return reject('unknown_kind', `Unknown packet kind ${JSON.stringify(claimed)}; known: ${Object.values(InboundKind).join(', ')}`, claimed);
  }
  const bodyName = bodyKeyOf(kind);
  const body = field(root, bodyName);
  if (!isJsonObject(body)) return reject('missing_body', `A ${kind} packet needs a "${bodyName}" object, got ${describe(body)}`, kind);
  switch (kind) {
    case 'AudioData':
      return parseAudioDataBody(body, options);
    case 'AudioMetadata':
      return parseAudioMetadataBody(body);
    case 'DtmfData':
      return parseDtmfDataBody(body);
    case 'TranscriptionMetadata':
      return parseTranscriptionMetadataBody(body);
    case 'TranscriptionData':
      return parseTranscriptionDataText(text, keyOf(root, bodyName));
  }
}

/** The actual key under which `field` found `name`. */
function keyOf(object: Record<string, unknown>, name: string): string {
  if (Object.hasOwn(object, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(object).find((key) => key.toLowerCase() === lower) ?? name;
}

/**
 * Parses one message ACS sent to the media or transcription WebSocket. Never throws; keeps no state between
 * calls. Rejections carry a stable `reason` (docs/errors.md), a `detail` for people, and the claimed `kind`.
 */
export function parsePacket(data: WireData, options: ParseOptions = {}): ParseResult {
  try {
    const input = toBufferOrString(data);
    if (input !== undefined && (options.maxBytes === undefined || input.length <= options.maxBytes)) {
      const fast = parseAudioDataFast(input, options);
      if (fast !== undefined) return fast;
    }
    return parsePacketGeneral(data, options);
  } catch (cause) {
    return reject('invalid_json', `${INTERNAL_ERROR_PREFIX} (please report it): ${(cause as Error)?.message ?? String(cause)}`);
  }
}
