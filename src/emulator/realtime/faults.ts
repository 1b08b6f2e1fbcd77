// Faults on demand for the realtime stand-in, like the ACS emulator's: set by the library (`setFaults`) or by the
// admin API (`POST /admin/realtime/faults`, checked here), so a test in any language can break the model.

/** Faults, applied to connections opened (refusals) or responses started (the rest) after they are set. */
export interface RealtimeFaults {
  /** Refuse upgrades with 503 until this many ms from now. */
  refuseForMs?: number;
  /** Refuse the next `count` upgrades (with a valid key) with this HTTP status and the service's error body. */
  refuseNext?: { status: 429 | 500 | 503; count?: number };
  /** Close the socket (code 1011) after this many audio deltas of the next response. */
  closeMidResponseAfterDeltas?: number;
  /** Hold the first audio delta of each response this long (a stalled model). */
  firstDeltaDelayMs?: number;
  /** Send this error event on the next response.create, instead of responding. */
  error?: { type?: string; code: string; message: string };
  /** On the next response: rate_limits.updated with nothing remaining, then a rate_limit_exceeded error. */
  rateLimit?: boolean;
}

const KEYS = ['refuseForMs', 'refuseNext', 'closeMidResponseAfterDeltas', 'firstDeltaDelayMs', 'error', 'rateLimit'] as const;
const STATUSES = [429, 500, 503];

const isMs = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** Checks faults sent as JSON; the message names the first bad field and what it takes. */
export function parseFaults(body: unknown): { ok: true; faults: RealtimeFaults } | { ok: false; message: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, message: `faults must be a JSON object with any of: ${KEYS.join(', ')}` };
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).find((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown) return { ok: false, message: `unknown fault ${JSON.stringify(unknown)}; faults: ${KEYS.join(', ')}` };
  for (const k of ['refuseForMs', 'closeMidResponseAfterDeltas', 'firstDeltaDelayMs'] as const) {
    if (b[k] !== undefined && !isMs(b[k])) return { ok: false, message: `${k} must be a non-negative number` };
  }
  if (b.rateLimit !== undefined && typeof b.rateLimit !== 'boolean') return { ok: false, message: 'rateLimit must be true or false' };
  if (b.refuseNext !== undefined) {
    const r = b.refuseNext as { status?: unknown; count?: unknown } | null;
    if (typeof r !== 'object' || r === null || !STATUSES.includes(r.status as number)) return { ok: false, message: `refuseNext.status must be one of ${STATUSES.join(', ')}` };
    if (r.count !== undefined && !(Number.isInteger(r.count) && (r.count as number) >= 1)) return { ok: false, message: 'refuseNext.count must be a whole number ≥ 1' };
  }
  if (b.error !== undefined) {
    const e = b.error as { code?: unknown; message?: unknown; type?: unknown } | null;
    if (typeof e !== 'object' || e === null || typeof e.code !== 'string' || typeof e.message !== 'string' || (e.type !== undefined && typeof e.type !== 'string')) {
      return { ok: false, message: 'error must be {"code": string, "message": string, "type"?: string}' };
    }
  }
  return { ok: true, faults: b as RealtimeFaults };
}
