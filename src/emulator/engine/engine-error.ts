// The media engine's one error class: a stable `code` for logs and tests, the underlying `cause` kept.

/** Stable codes of the media engine's errors. */
export const EngineErrorCode = {
  FixtureNotFound: 'FIXTURE_NOT_FOUND',
  FixturesMissing: 'FIXTURES_MISSING',
  SourceUnreadable: 'SOURCE_UNREADABLE',
  ConnectFailed: 'CONNECT_FAILED',
  InvalidOptions: 'INVALID_OPTIONS',
  InvalidSpec: 'INVALID_SPEC',
} as const;
export type EngineErrorCode = (typeof EngineErrorCode)[keyof typeof EngineErrorCode];

/** An error raised inside the media engine; `status` is the HTTP status of a refused WebSocket upgrade. */
export class MediaEngineError extends Error {
  readonly code: EngineErrorCode;
  readonly status: number | undefined;

  constructor(code: EngineErrorCode, message: string, options: { cause?: unknown; status?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MediaEngineError';
    this.code = code;
    this.status = options.status;
  }
}

/** True when `value` is a MediaEngineError (optionally with the given code). */
export function isMediaEngineError(value: unknown, code?: EngineErrorCode): value is MediaEngineError {
  return value instanceof MediaEngineError && (code === undefined || value.code === code);
}
