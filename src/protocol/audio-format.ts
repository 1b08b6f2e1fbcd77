// Audio format facts of ACS streaming (docs/protocol.md §1, AudioMetadata): 16-bit mono PCM, 20 ms frames.

import { SAMPLE_RATES, type SampleRate } from './packets.js';

/** Frames per second: one frame is 20 ms. */
export const FRAMES_PER_SECOND = 50;

/** True for the rates ACS streams (16000 and 24000). */
export function isSampleRate(value: unknown): value is SampleRate {
  return value === SAMPLE_RATES[0] || value === SAMPLE_RATES[1];
}

/** Bytes in one 20 ms frame of 16-bit mono PCM: 640 at 16 kHz, 960 at 24 kHz (AudioMetadata `length`). */
export function frameBytesFor(sampleRate: SampleRate): number {
  return (sampleRate / FRAMES_PER_SECOND) * 2;
}
