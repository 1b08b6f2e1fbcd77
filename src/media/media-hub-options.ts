// The media hub's options: one defaults object (the TSDoc @default of MediaHubOptions says the same, checked by
// test/architecture/option-defaults.test.ts), the range check, and the default session id.
import { randomBytes } from 'node:crypto';
import type { MediaHubOptions } from './contract.js';
import { MediaError, MediaErrorCode } from './media-error.js';

/** What createMediaHub spreads under the caller's options. */
export const MEDIA_HUB_DEFAULTS = {
  recordingsDir: './recordings' as string | null,
  lateWindowMs: 200,
  maxRecordingQueueBytes: 4 * 1024 * 1024,
  keepRecentSessions: 100,
  reconnectGraceMs: 10_000,
  flushIntervalMs: 1000,
  maxTimestampJumpMs: 3_600_000,
  maxGapFillMs: 5000,
  talkBackLeadMs: 20,
  talkBackLiveLeadMs: 100,
  maxSessions: 2000,
  maxRecordingFiles: 8192,
  maxParticipants: 64,
  maxFrameRate: 250,
  frameRateWindowS: 10,
  channel: 'auto' as 'auto' | 'mixed' | 'unmixed',
  recordMix: true,
};

/** Refuses out-of-range options, naming every one (ERR_MEDIA_BAD_OPTIONS). */
export function checkHubOptions(o: MediaHubOptions): void {
  const bad: string[] = [];
  if (o.lateWindowMs !== undefined && !(o.lateWindowMs >= 0 && o.lateWindowMs <= 10_000)) bad.push('lateWindowMs (0–10000)');
  if (o.maxRecordingQueueBytes !== undefined && !(o.maxRecordingQueueBytes >= 0)) bad.push('maxRecordingQueueBytes (≥ 0)');
  if (o.keepRecentSessions !== undefined && !(o.keepRecentSessions >= 0)) bad.push('keepRecentSessions (≥ 0)');
  if (o.reconnectGraceMs !== undefined && !(o.reconnectGraceMs >= 0)) bad.push('reconnectGraceMs (≥ 0)');
  if (o.flushIntervalMs !== undefined && !(o.flushIntervalMs >= 10)) bad.push('flushIntervalMs (≥ 10)');
  if (o.maxTimestampJumpMs !== undefined && !(o.maxTimestampJumpMs > 0)) bad.push('maxTimestampJumpMs (> 0)');
  if (o.maxGapFillMs !== undefined && !(o.maxGapFillMs >= 0)) bad.push('maxGapFillMs (≥ 0)');
  if (o.talkBackLeadMs !== undefined && !(o.talkBackLeadMs >= 0 && o.talkBackLeadMs <= 200)) bad.push('talkBackLeadMs (0–200)');
  if (o.talkBackLiveLeadMs !== undefined && !(o.talkBackLiveLeadMs >= 20 && o.talkBackLiveLeadMs <= 1000)) bad.push('talkBackLiveLeadMs (20–1000)');
  if (o.maxSessions !== undefined && !(Number.isInteger(o.maxSessions) && o.maxSessions >= 1)) bad.push('maxSessions (integer ≥ 1)');
  if (o.maxRecordingFiles !== undefined && !(Number.isInteger(o.maxRecordingFiles) && o.maxRecordingFiles >= 1)) bad.push('maxRecordingFiles (integer ≥ 1)');
  if (o.maxParticipants !== undefined && !(Number.isInteger(o.maxParticipants) && o.maxParticipants >= 1)) bad.push('maxParticipants (integer ≥ 1)');
  if (o.maxFrameRate !== undefined && !(o.maxFrameRate >= 50)) bad.push('maxFrameRate (≥ 50, the rate ACS sends)');
  if (o.frameRateWindowS !== undefined && !(o.frameRateWindowS >= 1)) bad.push('frameRateWindowS (≥ 1)');
  if (bad.length > 0) throw new MediaError(MediaErrorCode.BadOptions, `createMediaHub: invalid options: ${bad.join(', ')}`);
}

/** `<UTC second>-<12 hex>`. 48 random bits: 500 calls starting in one second collide with odds of 1 in 2 billion
 *  (with 24 bits it would be 1 in 130, and two calls would share a recording folder); the hub also refuses a taken ID. */
export function defaultSessionId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(6).toString('hex')}`;
}
