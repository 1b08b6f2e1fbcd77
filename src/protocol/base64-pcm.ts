// Base64 ↔ 16-bit little-endian PCM (docs/protocol.md §1, AudioData `data`). Two decoders with one result:
// decodePcmString (the general path, any string, JS) and decodePcmBytesNative (the fast path, wire bytes, Node's
// native decoder). Both write into the frame's own memory (pcm-slab.ts): one allocation, no intermediate Buffer.

import { base64Write, latin1Slice } from './native-buffer.js';
import { allocatePcm, currentSlabBytes, fitsSlab, reservePcmBytes, slabSamples } from './pcm-slab.js';

/** Why base64 could not become PCM. */
export type PcmDecodeFailure = 'bad_base64' | 'bad_length';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Sextet of each 7-bit code; 0x80 marks a code outside the alphabet. */
const SEXTET = new Uint8Array(128).fill(0x80);
for (let i = 0; i < ALPHABET.length; i++) SEXTET[ALPHABET.charCodeAt(i)] = i;
/** Bits that, set in the OR of char codes and sextets, mean an invalid character (outside the alphabet or ≥ 0x80). */
const INVALID = ~0x7f;
const PAD = 61; // '='

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Decoded size of `count` base64 characters without padding; -1 when no valid base64 has that length. */
function decodedBytes(count: number): number {
  const rest = count & 3;
  if (rest === 1) return -1;
  return (count >> 2) * 3 + (rest === 0 ? 0 : rest - 1);
}

/** Characters after removing up to two trailing `=`; -1 when the padding is malformed. */
function unpaddedLength(pads: number, length: number): number {
  if (pads === 0) return length;
  return (length & 3) === 0 ? length - pads : -1;
}

/**
 * Decodes text[start, end) to samples: the standard alphabet, optional `=` padding, no whitespace; stray bits
 * after the last byte are ignored as Node's decoder does. The decoded byte count must be even. One pass that
 * validates as it decodes, into the frame's own memory.
 */
export function decodePcmString(text: string, start = 0, end = text.length): Int16Array | PcmDecodeFailure {
  let pads = 0;
  while (pads < 2 && end - pads > start && text.charCodeAt(end - pads - 1) === PAD) pads++;
  const count = unpaddedLength(pads, end - start);
  const byteCount = count < 0 ? -1 : decodedBytes(count);
  if (byteCount < 0 || (byteCount & 1) === 1) return validString(text, start, end - pads) && byteCount >= 0 ? 'bad_length' : 'bad_base64';
  const samples = allocatePcm(byteCount >> 1);
  const stop = start + count;
  const bulkEnd = start + (count - (count % 8));
  let bad = 0;
  let o = 0;
  let i = start;
  for (; i < bulkEnd; i += 8) {
    const c0 = text.charCodeAt(i), c1 = text.charCodeAt(i + 1), c2 = text.charCodeAt(i + 2), c3 = text.charCodeAt(i + 3);
    const c4 = text.charCodeAt(i + 4), c5 = text.charCodeAt(i + 5), c6 = text.charCodeAt(i + 6), c7 = text.charCodeAt(i + 7);
    const x0 = SEXTET[c0 & 0x7f], x1 = SEXTET[c1 & 0x7f], x2 = SEXTET[c2 & 0x7f], x3 = SEXTET[c3 & 0x7f];
    const x4 = SEXTET[c4 & 0x7f], x5 = SEXTET[c5 & 0x7f], x6 = SEXTET[c6 & 0x7f], x7 = SEXTET[c7 & 0x7f];
    bad |= c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | x0 | x1 | x2 | x3 | x4 | x5 | x6 | x7;
    const v1 = (x0 << 18) | (x1 << 12) | (x2 << 6) | x3;
    const v2 = (x4 << 18) | (x5 << 12) | (x6 << 6) | x7;
    samples[o] = (v1 >> 16) | (v1 & 0xff00);
    samples[o + 1] = (v1 & 0xff) | ((v2 >> 8) & 0xff00);
    samples[o + 2] = ((v2 >> 8) & 0xff) | ((v2 & 0xff) << 8);
    o += 3;
  }
  let bits = 0;
  let nbits = 0;
  let low = -1;
  for (; i < stop; i++) {
    const c = text.charCodeAt(i);
    const x = SEXTET[c & 0x7f];
    bad |= c | x;
    bits = ((bits << 6) | x) & 0xffff;
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      const byte = (bits >> nbits) & 0xff;
      if (low < 0) low = byte;
      else {
        samples[o++] = low | (byte << 8);
        low = -1;
      }
    }
  }
  return (bad & INVALID) === 0 ? samples : 'bad_base64';
}

function validString(text: string, start: number, end: number): boolean {
  let bad = 0;
  for (let i = start; i < end; i++) bad |= text.charCodeAt(i) | SEXTET[text.charCodeAt(i) & 0x7f];
  return (bad & INVALID) === 0;
}

/**
 * Decodes bytes[start, end), padded base64, with Node's native decoder into the frame's memory; undefined unless
 * every character was valid and the bytes are whole samples, for the caller to fall back to the general path. Validation by count: Node's decoder skips a byte outside its alphabet and stops at an inner `=`,
 * so any such byte leaves fewer bytes than the length promises; its alphabet's two extras (URL-safe `-` and `_`)
 * are looked for separately. Bits beyond the last byte are ignored, as decodePcmString does.
 */
export function decodePcmBytesNative(bytes: Buffer, start: number, end: number): Int16Array | undefined {
  const length = end - start;
  if ((length & 3) !== 0 || !LITTLE_ENDIAN) return undefined;
  const pads = length === 0 ? 0 : bytes[end - 1] !== PAD ? 0 : bytes[end - 2] !== PAD ? 1 : 2;
  const byteCount = (length >> 2) * 3 - pads;
  if ((byteCount & 1) === 1 || !fitsSlab(byteCount)) return undefined;
  // A one-byte string: each byte is one character, so bytes ≥ 0x80 stay outside the alphabet.
  const text = latin1Slice(bytes, start, end);
  if (text.indexOf('-') >= 0 || text.indexOf('_') >= 0) return undefined;
  const offset = reservePcmBytes(byteCount);
  if (base64Write(currentSlabBytes(), text, offset, byteCount) !== byteCount) return undefined;
  return slabSamples(offset, byteCount >> 1);
}

/** Base64 of samples as 16-bit little-endian PCM (what ACS sends and expects). */
export function encodePcmBase64(samples: Int16Array): string {
  if (LITTLE_ENDIAN) return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength).toString('base64');
  const bytes = Buffer.allocUnsafe(samples.length * 2);
  for (let i = 0; i < samples.length; i++) bytes.writeInt16LE(samples[i], i * 2);
  return bytes.toString('base64');
}
