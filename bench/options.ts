// Command-line pieces the bench scripts share (npm run bench, npm run bench:media-path).
import { InvalidArgumentError, Option } from 'commander';
import type { SampleRate } from '../src/protocol/index.js';

/** The audio formats a bench offers, as ACS names them in MediaStreamingOptions. */
export type BenchFormat = 'pcm16k' | 'pcm24k';

export const FORMATS: Record<BenchFormat, SampleRate> = { pcm16k: 16000, pcm24k: 24000 };

/** `--format <format>`: pcm16k (default) or pcm24k. */
export function formatOption(): Option {
  return new Option('--format <format>', 'audio format').choices(Object.keys(FORMATS)).default('pcm16k');
}

/** Commander argument parser for counts: a whole number ≥ 1, or a usage error saying so. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}
