// Node's Buffer methods without argument handling: latin1Slice, utf8Write and base64Write are what
// toString('latin1', ...), write(..., 'utf8') and write(..., 'base64') call after checking their arguments, which
// costs more than the work itself on short strings. Undocumented but present since Node 0.x; when absent, the
// public methods stand in.

type Latin1Slice = (this: Buffer, start: number, end: number) => string;
type Write = (this: Buffer, text: string, offset: number, length: number) => number;
const native = Buffer.prototype as unknown as { latin1Slice?: Latin1Slice; utf8Write?: Write; base64Write?: Write };

const latin1SliceMethod: Latin1Slice =
  native.latin1Slice ??
  function latin1Slice(this: Buffer, start: number, end: number): string {
    return this.toString('latin1', start, end);
  };

const utf8WriteMethod: Write =
  native.utf8Write ??
  function utf8Write(this: Buffer, text: string, offset: number, length: number): number {
    return this.write(text, offset, length, 'utf8');
  };

const base64WriteMethod: Write =
  native.base64Write ??
  function base64Write(this: Buffer, text: string, offset: number, length: number): number {
    return this.write(text, offset, length, 'base64');
  };

/** bytes[start, end) as a one-byte string, each byte one character. */
export function latin1Slice(bytes: Buffer, start: number, end: number): string {
  return latin1SliceMethod.call(bytes, start, end);
}

/** Writes `text` as UTF-8 at `offset`, at most `length` bytes; returns the bytes written. */
export function utf8Write(bytes: Buffer, text: string, offset: number, length: number): number {
  return utf8WriteMethod.call(bytes, text, offset, length);
}

/**
 * Decodes base64 `text` at `offset`, at most `length` bytes; returns the bytes written. Node's decoder skips
 * characters outside its alphabet, stops at an inner `=`, accepts URL-safe `-` and `_`, and reads only the low
 * byte of characters above U+00FF (so give it one-byte strings).
 */
export function base64Write(bytes: Buffer, text: string, offset: number, length: number): number {
  return base64WriteMethod.call(bytes, text, offset, length);
}
