// Reading fields of wire JSON with case-insensitive keys (docs/protocol.md §1 robustness rules: Microsoft's own
// SDKs emit several casings). The exact spelling wins; otherwise the first key equal ignoring case.

/** A JSON object (not null, not an array). */
export type JsonObject = Record<string, unknown>;

/** True for a JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value of `name` in `object`, matching the key case-insensitively. */
export function field(object: JsonObject, name: string): unknown {
  if (Object.hasOwn(object, name)) return object[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(object)) {
    if (key.toLowerCase() === lower) return object[key];
  }
  return undefined;
}

/** The fields of `object` whose keys match none of `known` (lower-case names), for `extra`. */
export function unknownFields(object: JsonObject, known: ReadonlySet<string>, convert: (value: unknown) => unknown): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    if (known.has(key.toLowerCase())) continue;
    Object.defineProperty(extra, key, { value: convert(object[key]), writable: true, enumerable: true, configurable: true });
  }
  return extra;
}
