// The AudioData fast path: reads the compact shape ACS sends (docs/protocol.md §1, AudioData) straight from the
// message — no JSON.parse, no object tree — and decodes the PCM with Node's native base64 into the frame's memory.
// It accepts only what it fully understands: exact key spelling, each key once, no whitespace, no escapes, printable
// ASCII, valid values. For anything else it returns undefined and parsePacket takes the general path, so the
// result is always the general path's.

import { decodeCanonicalPcm } from './base64-pcm.js';
import type { AudioDataPacket, ParseResult } from './packets.js';
import type { ParseOptions } from './parse-options.js';
import { parseTimestampMs } from './timestamp.js';

const PREFIX = '{"kind":"AudioData","audioData":{';
const PREFIX_CODES = Uint8Array.from(PREFIX, (c) => c.charCodeAt(0));
const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
const CLOSE = 125;
const BACKSLASH = 92;

/** Which body key a key string is (by its spelling and length). */
const Key = { Other: 0, Timestamp: 1, Participant: 2, Data: 3, Silent: 4 } as const;
type Key = (typeof Key)[keyof typeof Key];

function codeAt(input: Buffer | string, i: number): number {
  if (i >= input.length) return -1;
  return typeof input === 'string' ? input.charCodeAt(i) : input[i];
}

function hasPrefix(input: Buffer | string): boolean {
  if (typeof input === 'string') return input.startsWith(PREFIX);
  if (input.length < PREFIX_CODES.length) return false;
  for (let i = 0; i < PREFIX_CODES.length; i++) if (input[i] !== PREFIX_CODES[i]) return false;
  return true;
}

/** True when input[start, start + word.length) spells `word` and `end` is where it stops. */
function spells(input: Buffer | string, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  if (typeof input === 'string') return input.startsWith(word, start);
  for (let i = 0; i < word.length; i++) if (input[start + i] !== word.charCodeAt(i)) return false;
  return true;
}

/** For each code unit below 256: 1 for `"`, 2 for what JSON would not read verbatim (controls, `\\`, non-ASCII). */
const STRING_STOP = new Uint8Array(256);
for (let c = 0; c < 256; c++) STRING_STOP[c] = c === QUOTE ? 1 : c < 0x20 || c > 0x7e || c === BACKSLASH ? 2 : 0;

/**
 * The closing quote of a short string starting at `from`, or -1 when it holds anything JSON would not read
 * verbatim (control characters, backslashes, non-ASCII) or does not end.
 */
function plainStringEnd(input: Buffer | string, from: number): number {
  const length = input.length;
  let i = from;
  if (typeof input === 'string') {
    while (i < length) {
      const c = input.charCodeAt(i);
      if (c > 0xff) return -1;
      const stop = STRING_STOP[c];
      if (stop !== 0) return stop === 1 ? i : -1;
      i++;
    }
  } else {
    while (i < length) {
      const stop = STRING_STOP[input[i]];
      if (stop !== 0) return stop === 1 ? i : -1;
      i++;
    }
  }
  return -1;
}

/** Buffer#latin1Slice: Buffer#toString('latin1', ...) without its argument handling (undocumented, checked at load). */
type Latin1Slice = (this: Buffer, start: number, end: number) => string;
const latin1Slice: Latin1Slice =
  (Buffer.prototype as unknown as { latin1Slice?: Latin1Slice }).latin1Slice ??
  function latin1(this: Buffer, start: number, end: number): string {
    return this.toString('latin1', start, end);
  };

/** The characters of input[start, end), which the caller has checked are ASCII. */
function textOf(input: Buffer | string, start: number, end: number): string {
  return typeof input === 'string' ? input.slice(start, end) : latin1Slice.call(input, start, end);
}

function keyAt(input: Buffer | string, start: number, end: number): Key {
  switch (end - start) {
    case 4:
      return spells(input, start, end, 'data') ? Key.Data : Key.Other;
    case 6:
      return spells(input, start, end, 'silent') ? Key.Silent : Key.Other;
    case 9:
      return spells(input, start, end, 'timestamp') ? Key.Timestamp : Key.Other;
    case 16:
      return spells(input, start, end, 'participantRawID') ? Key.Participant : Key.Other;
    default:
      return Key.Other;
  }
}

/** The packet, when the message is plain compact AudioData with valid values; otherwise undefined. */
export function parseAudioDataFast(input: Buffer | string, options: ParseOptions): ParseResult | undefined {
  if (!hasPrefix(input)) return undefined;
  let pos = PREFIX.length;
  let timestamp: string | undefined;
  let participantRawID: string | undefined;
  let silent: boolean | undefined;
  let dataStart = -1;
  let dataEnd = -1;
  for (;;) {
    if (codeAt(input, pos) !== QUOTE) return undefined;
    const keyStart = pos + 1;
    const keyEnd = plainStringEnd(input, keyStart);
    if (keyEnd < 0 || codeAt(input, keyEnd + 1) !== COLON) return undefined;
    const key = keyAt(input, keyStart, keyEnd);
    const valueStart = keyEnd + 2;
    if (key === Key.Silent) {
      if (silent !== undefined) return undefined;
      if (spells(input, valueStart, valueStart + 4, 'true')) silent = true;
      else if (spells(input, valueStart, valueStart + 5, 'false')) silent = false;
      else return undefined;
      pos = valueStart + (silent ? 4 : 5);
    } else if (key === Key.Data) {
      if (dataStart >= 0 || codeAt(input, valueStart) !== QUOTE) return undefined;
      dataStart = valueStart + 1;
      // The decoder rejects any character that is not base64, so a backslash cannot hide an earlier end.
      dataEnd = typeof input === 'string' ? input.indexOf('"', dataStart) : input.indexOf(QUOTE, dataStart);
      if (dataEnd < 0) return undefined;
      pos = dataEnd + 1;
    } else if (key === Key.Timestamp || key === Key.Participant) {
      if (codeAt(input, valueStart) !== QUOTE) return undefined;
      const valueEnd = plainStringEnd(input, valueStart + 1);
      if (valueEnd < 0) return undefined;
      const text = textOf(input, valueStart + 1, valueEnd);
      if (key === Key.Timestamp) {
        if (timestamp !== undefined) return undefined;
        timestamp = text;
      } else {
        if (participantRawID !== undefined) return undefined;
        participantRawID = text;
      }
      pos = valueEnd + 1;
    } else {
      return undefined;
    }
    const next = codeAt(input, pos);
    if (next === COMMA) {
      pos++;
      continue;
    }
    if (next === CLOSE && codeAt(input, pos + 1) === CLOSE && pos + 2 === input.length) break;
    return undefined;
  }
  if (timestamp === undefined || dataStart < 0) return undefined;
  const timestampMs = parseTimestampMs(timestamp);
  if (timestampMs === undefined) return undefined;
  // Bytes ≥ 0x80 become latin1 characters outside the base64 alphabet, so the decoder refuses them.
  const samples = decodeCanonicalPcm(textOf(input, dataStart, dataEnd));
  if (samples === undefined) return undefined;
  if (options.expectedFrameBytes !== undefined && samples.byteLength !== options.expectedFrameBytes) return undefined;
  const packet: AudioDataPacket = { kind: 'AudioData', timestamp, timestampMs, participantRawID, silent: silent ?? false, samples };
  return { ok: true, packet };
}
