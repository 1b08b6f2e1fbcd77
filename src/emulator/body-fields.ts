// Small readers shared by the emulator's operations: a request body's string field, and whether a URL the emulator
// would fetch is on this machine (the emulator reaches nothing else).

/** `value` when it is a non-empty string. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** True for a URL on the loopback interface (the only http the emulator fetches). */
export function isLoopbackUrl(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}
