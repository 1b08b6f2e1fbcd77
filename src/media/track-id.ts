// Safe, readable, distinct track ids (and so file names) from untrusted participant raw IDs (docs/protocol.md §1:
// "Treat as opaque text; never trust it as a file name").
import { createHash } from 'node:crypto';

/** Longest readable part kept from a raw ID before a hash suffix takes over. */
const MAX_READABLE = 40;
/** Names a track may not take: the session's own files and Windows device names. */
const RESERVED = /^(mix|mixdown|mixed|talk-back|unknown|session|events|transcript|con|prn|aux|nul|com\d|lpt\d)$/i;

function shortHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 10);
}

/** The readable part: `:` → `_`, anything outside [A-Za-z0-9+_.-] → `_`, runs collapsed, no leading dots. */
function readablePart(rawId: string): string {
  let out = rawId.slice(0, MAX_READABLE * 4).replace(/[^A-Za-z0-9+_.-]+/g, '_');
  out = out.replace(/_+/g, '_').replace(/^[._-]+/, '').replace(/[._]+$/, '');
  return out;
}

/**
 * A track id for a participant: `4_+15551234567`, or `8_acs_3d20e1de-0f28-41c5-84a0-4960fde5f411_00-<hash>` when
 * long, lossy, reserved or already taken. Distinct within `taken` (which it updates). Safe as a file name.
 */
export function createTrackId(rawId: string, taken: Set<string>): string {
  const readable = readablePart(rawId);
  const lossy = readable.length === 0 || readable.length > MAX_READABLE || RESERVED.test(readable) || /[^A-Za-z0-9+_.:-]/.test(rawId);
  const prefix = readable.slice(0, MAX_READABLE - 11).replace(/[._-]+$/, '') || 'p';
  let id = lossy ? `${prefix}-${shortHash(rawId)}` : readable;
  if (taken.has(id.toLowerCase())) id = `${prefix}-${shortHash(rawId)}`;
  for (let n = 2; taken.has(id.toLowerCase()); n++) id = `${prefix}-${shortHash(`${rawId}#${n}`)}`;
  taken.add(id.toLowerCase());
  return id;
}
