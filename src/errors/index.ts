// The one error family: every error this package throws on purpose is an AcsAudioError with a stable `code`
// (`ERR_<AREA>_<WHAT>`, catalogued in docs/errors.md), a message for people (what, where, what to do) and the
// underlying `cause`. Each area subclasses it once (MediaError, WavError, …) so `instanceof` narrows per area while
// one guard, isAcsAudioError, recognises them all. This module depends on nothing so every folder (the emulator too)
// can import it.

/** Options every coded error takes. */
export interface AcsAudioErrorOptions {
  /** The error that led to this one (kept as the standard `Error.cause`). */
  cause?: unknown;
}

/** The base of every coded error in the package. */
export class AcsAudioError<Code extends string = string> extends Error {
  override name = 'AcsAudioError';
  /** Stable, machine-readable: `ERR_<AREA>_<WHAT>`. Programs branch on this, never on the message. */
  readonly code: Code;

  constructor(code: Code, message: string, options?: AcsAudioErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** True when `value` is any coded error of this package (optionally with the given code). */
export function isAcsAudioError<Code extends string = string>(value: unknown, code?: Code): value is AcsAudioError<Code> {
  return value instanceof AcsAudioError && (code === undefined || value.code === code);
}

/**
 * A guard for one area's error class: `export const isMediaError = errorGuard(MediaError)`.
 * The result narrows to that class and, given a code, checks it too.
 */
export function errorGuard<E extends AcsAudioError>(cls: abstract new (...args: never[]) => E): (value: unknown, code?: E['code']) => value is E {
  return (value: unknown, code?: E['code']): value is E => value instanceof cls && (code === undefined || (value as E).code === code);
}

/** Codes that are not tied to one area's class: wrong arguments to a public entry point. */
export const ErrorCode = {
  /** An option out of range or contradictory (the message names the option, the range and the value). */
  BadOptions: 'ERR_BAD_OPTIONS',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export { withDefaults, type WithDefaults } from './options.js';
