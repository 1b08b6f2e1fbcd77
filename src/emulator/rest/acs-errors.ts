// One error factory for the emulator's REST API, emitting ACS's own error JSON (docs/protocol.md §4):
// `{"error":{"code","message"}}` with the HTTP status the service uses.

/** An error the REST pipeline renders as ACS error JSON. */
export class AcsRestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AcsRestError';
  }

  toJSON(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/** The errors the emulator raises, named for what went wrong. */
export const acsErrors = {
  unauthorized: (detail: string) => new AcsRestError(401, 'Unauthorized', `Denied by the HMAC check: ${detail}`),
  callNotFound: (id: string) => new AcsRestError(404, '8522', `Call ${id} not found (it may have ended).`),
  participantNotFound: (id: string, rawId: string) => new AcsRestError(404, '8523', `${rawId} is not a participant of call ${id}.`),
  operationNotFound: (method: string, path: string) =>
    new AcsRestError(404, 'NotFound', `The emulator has no operation ${method} ${path}.`),
  badRequest: (message: string) => new AcsRestError(400, 'BadRequest', message),
  callNotConnected: (id: string, state: string) =>
    new AcsRestError(400, '8501', `Action is invalid when call ${id} is ${state}; wait for CallConnected.`),
  streamingNotConfigured: (id: string) =>
    new AcsRestError(400, '8581', `Call ${id} has no mediaStreamingOptions; create or answer it with them first.`),
  adminForbidden: (address: string) =>
    new AcsRestError(403, 'Forbidden', `The admin API answers loopback clients only (this one is ${address}); start the emulator with --admin-remote to allow others.`),
  recordingNotFound: (id: string) => new AcsRestError(404, '8522', `Recording ${id} not found (unknown, already stopped, or deleted).`),
  incomingCallUnknown: () => new AcsRestError(404, '8523', 'The incomingCallContext is unknown or already used.'),
} as const;
