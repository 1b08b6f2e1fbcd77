// The AudioData fast path: reads the compact shape ACS sends (docs/protocol.md §1, AudioData) straight from the
// message bytes — no JSON.parse, no object tree — and decodes the PCM with Node's native base64 into the frame's
// memory. It accepts only what it fully understands: exact key spelling, each key once, no whitespace, no escapes,
// printable ASCII, valid values. For anything else it returns undefined and parsePacket takes the general path, so
// the result is always the general path's. One byte scanner serves both inputs: strings are UTF-8 encoded into a
// scratch buffer first (any non-ASCII character becomes bytes ≥ 0x80, which the scanner refuses).

import { decodePcmBytesNative } from './base64-pcm.js';
import { latin1Slice, utf8Write } from './native-buffer.js';
import type { AudioDataPacket, ParseResult } from './packets.js';
import type { ParseOptions } from './parse-options.js';
import { parseTimestampMs } from './timestamp.js';

const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
const CLOSE = 125;
const BACKSLASH = 92;

function codes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

const PREFIX = codes('{"kind":"AudioData","audioData":{');
const TIMESTAMP = codes('timestamp');
const PARTICIPANT = codes('participantRawID');
const DATA = codes('data');
const SILENT = codes('silent');
const TRUE = codes('true');
const FALSE = codes('false');

/** Per byte: 1 for `"`, 2 for what JSON would not read verbatim in a string (controls, `\`, non-ASCII), else 0. */
const STRING_STOP = new Uint8Array(256);
for (let c = 0; c < 256; c++) STRING_STOP[c] = c === QUOTE ? 1 : c < 0x20 || c > 0x7e || c === BACKSLASH ? 2 : 0;

/** Longest string message taken by the fast path: its UTF-8 (≤ 3 bytes a unit) always fits the scratch buffer. */
const MAX_STRING_UNITS = 4096;
/** Where string messages are encoded for the scanner; only read during one call, never part of a result. */
let scratch: Buffer | undefined;

/** True when bytes[at, at + word.length) equals `word`. */
function same(bytes: Buffer, at: number, word: Uint8Array): boolean {
  for (let i = 0; i < word.length; i++) if (bytes[at + i] !== word[i]) return false;
  return true;
}

/** The closing quote of a plain string starting at `from` (see STRING_STOP); -1 if something else comes first. */
function plainStringEnd(bytes: Buffer, from: number, end: number): number {
  let i = from;
  while (i < end) {
    const stop = STRING_STOP[bytes[i]];
    if (stop !== 0) return stop === 1 ? i : -1;
    i++;
  }
  return -1;
}

/** The packet, when the message is plain compact AudioData with valid values; otherwise undefined. */
export function parseAudioDataFast(input: Buffer | string, options: ParseOptions): ParseResult | undefined {
  if (typeof input !== 'string') return scan(input, input.length, options);
  if (input.length > MAX_STRING_UNITS || input.charCodeAt(0) !== PREFIX[0]) return undefined;
  scratch ??= Buffer.allocUnsafe(MAX_STRING_UNITS * 3);
  return scan(scratch, utf8Write(scratch, input, 0, scratch.length), options);
}

function scan(bytes: Buffer, end: number, options: ParseOptions): ParseResult | undefined {
  if (end < PREFIX.length + 2 || !same(bytes, 0, PREFIX)) return undefined;
  let pos = PREFIX.length;
  let timestamp: string | undefined;
  let participantRawID: string | undefined;
  let silent: boolean | undefined;
  let dataStart = -1;
  let dataEnd = -1;
  for (;;) {
    if (bytes[pos] !== QUOTE) return undefined;
    const keyEnd = plainStringEnd(bytes, pos + 1, end);
    if (keyEnd < 0 || bytes[keyEnd + 1] !== COLON) return undefined;
    const keyLength = keyEnd - pos - 1;
    const value = keyEnd + 2;
    if (keyLength === 4 && same(bytes, pos + 1, DATA)) {
      if (dataStart >= 0 || bytes[value] !== QUOTE) return undefined;
      dataStart = value + 1;
      // The decoder refuses anything that is not base64, so a backslash cannot hide an earlier end.
      dataEnd = bytes.indexOf(QUOTE, dataStart);
      if (dataEnd < 0 || dataEnd >= end) return undefined;
      pos = dataEnd + 1;
    } else if ((keyLength === 9 && same(bytes, pos + 1, TIMESTAMP)) || (keyLength === 16 && same(bytes, pos + 1, PARTICIPANT))) {
      if (bytes[value] !== QUOTE) return undefined;
      const valueEnd = plainStringEnd(bytes, value + 1, end);
      if (valueEnd < 0) return undefined;
      if (keyLength === 9) {
        if (timestamp !== undefined) return undefined;
        timestamp = latin1Slice(bytes, value + 1, valueEnd);
      } else {
        if (participantRawID !== undefined) return undefined;
        participantRawID =
          options.strings === undefined ? latin1Slice(bytes, value + 1, valueEnd) : options.strings.get(bytes, value + 1, valueEnd, latin1Slice);
      }
      pos = valueEnd + 1;
    } else if (keyLength === 6 && same(bytes, pos + 1, SILENT)) {
      if (silent !== undefined) return undefined;
      if (same(bytes, value, TRUE)) silent = true;
      else if (same(bytes, value, FALSE)) silent = false;
      else return undefined;
      pos = value + (silent ? TRUE.length : FALSE.length);
    } else {
      return undefined;
    }
    const next = bytes[pos];
    if (next === COMMA && pos + 1 < end) {
      pos++;
      continue;
    }
    if (next === CLOSE && bytes[pos + 1] === CLOSE && pos + 2 === end) break;
    return undefined;
  }
  if (timestamp === undefined || dataStart < 0) return undefined;
  const timestampMs = parseTimestampMs(timestamp);
  if (timestampMs === undefined) return undefined;
  const samples = decodePcmBytesNative(bytes, dataStart, dataEnd);
  if (samples === undefined) return undefined;
  if (options.expectedFrameBytes !== undefined && samples.byteLength !== options.expectedFrameBytes) return undefined;
  const packet: AudioDataPacket = { kind: 'AudioData', timestamp, timestampMs, participantRawID, silent: silent ?? false, samples };
  return { ok: true, packet };
}
