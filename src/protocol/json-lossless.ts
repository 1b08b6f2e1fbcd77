// A JSON reader that keeps each number's text, for transcription ticks beyond 2^53 (docs/protocol.md §1:
// offsets near 2.5e18). JSON.parse rounds them and Node 20 has no source-text access in revivers.
// Only called on text JSON.parse already accepted, so its errors are only for nesting depth.

/** A JSON number as written on the wire. */
export class JsonNumber {
  constructor(readonly text: string) {}
  /** The number as JSON.parse would read it. */
  valueOf(): number {
    return Number(this.text);
  }
}

/** What parseJsonLossless returns: JSON values with numbers as JsonNumber. */
export type LosslessValue = null | boolean | string | JsonNumber | LosslessValue[] | { [key: string]: LosslessValue };

const MAX_DEPTH = 256;

class Reader {
  pos = 0;
  constructor(readonly text: string) {}

  skipSpace(): void {
    let c = this.text.charCodeAt(this.pos);
    while (c === 32 || c === 9 || c === 10 || c === 13) c = this.text.charCodeAt(++this.pos);
  }

  value(depth: number): LosslessValue {
    if (depth > MAX_DEPTH) throw new RangeError(`JSON nested deeper than ${MAX_DEPTH} levels`);
    this.skipSpace();
    const c = this.text.charCodeAt(this.pos);
    if (c === 123) return this.object(depth);
    if (c === 91) return this.array(depth);
    if (c === 34) return this.string();
    if (c === 116) return this.literal('true', true);
    if (c === 102) return this.literal('false', false);
    if (c === 110) return this.literal('null', null);
    return this.number();
  }

  object(depth: number): { [key: string]: LosslessValue } {
    const result: { [key: string]: LosslessValue } = {};
    this.pos++;
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 125) {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skipSpace();
      const key = this.string();
      this.skipSpace();
      this.pos++; // ':'
      const item = this.value(depth + 1);
      // A "__proto__" key must become an own property, as JSON.parse makes it.
      Object.defineProperty(result, key, { value: item, writable: true, enumerable: true, configurable: true });
      this.skipSpace();
      if (this.text.charCodeAt(this.pos++) === 125) return result;
    }
  }

  array(depth: number): LosslessValue[] {
    const result: LosslessValue[] = [];
    this.pos++;
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 93) {
      this.pos++;
      return result;
    }
    for (;;) {
      result.push(this.value(depth + 1));
      this.skipSpace();
      if (this.text.charCodeAt(this.pos++) === 93) return result;
    }
  }

  string(): string {
    const start = this.pos;
    let i = start + 1;
    let escaped = false;
    for (;;) {
      const c = this.text.charCodeAt(i);
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        i++;
      }
      i++;
    }
    this.pos = i + 1;
    return escaped ? (JSON.parse(this.text.slice(start, this.pos)) as string) : this.text.slice(start + 1, i);
  }

  literal<T>(word: string, value: T): T {
    this.pos += word.length;
    return value;
  }

  number(): JsonNumber {
    const start = this.pos;
    let c = this.text.charCodeAt(this.pos);
    // JSON.parse has checked the grammar: consume the characters a number may hold.
    while ((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 101 || c === 69) {
      c = this.text.charCodeAt(++this.pos);
    }
    return new JsonNumber(this.text.slice(start, this.pos));
  }
}

/** Reads JSON text (already accepted by JSON.parse) keeping numbers' text. Throws RangeError beyond 256 levels. */
export function parseJsonLossless(text: string): LosslessValue {
  return new Reader(text).value(0);
}

/** Converts a lossless value to what JSON.parse would have produced. */
export function toPlainJson(value: LosslessValue): unknown {
  if (value instanceof JsonNumber) return Number(value.text);
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      Object.defineProperty(result, key, { value: toPlainJson(value[key]), writable: true, enumerable: true, configurable: true });
    }
    return result;
  }
  return value;
}
