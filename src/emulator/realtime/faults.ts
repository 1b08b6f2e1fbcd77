// Faults on demand for the realtime stand-in, like the ACS emulator's.
/** Faults, applied to connections opened (refuse) or responses started (the rest) after they are set. */
export interface RealtimeFaults {
  /** Refuse upgrades with 503 until this many ms from now. */
  refuseForMs?: number;
  /** Close the socket (code 1011) after this many audio deltas of the next response. */
  closeMidResponseAfterDeltas?: number;
  /** Hold the first audio delta of each response this long. */
  firstDeltaDelayMs?: number;
  /** Send this error event on the next response.create, instead of responding. */
  error?: { type?: string; code: string; message: string };
  /** On the next response: rate_limits.updated with nothing remaining, then a rate_limit_exceeded error. */
  rateLimit?: boolean;
}
