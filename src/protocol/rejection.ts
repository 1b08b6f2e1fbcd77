// Building the typed rejections parsePacket returns (docs/errors.md lists every reason).

import type { PacketRejection, RejectReason } from './packets.js';

/** A rejection value; `kind` only when the packet claimed one. */
export function reject(reason: RejectReason, detail: string, kind?: string): PacketRejection {
  return kind === undefined ? { ok: false, reason, detail } : { ok: false, reason, detail, kind };
}

/** A short description of a JSON value for messages: `missing`, `null`, or its type and a clipped rendering. */
export function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value));
  } catch {
    text = String(value);
  }
  if (text.length > 48) text = `${text.slice(0, 45)}...`;
  const type = Array.isArray(value) ? 'array' : typeof value;
  return `${type} ${text}`;
}
