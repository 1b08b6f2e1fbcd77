// The watch on a model that goes quiet mid-turn: from the moment an answer is expected (the caller stopped speaking,
// or the app asked for a response) every model message re-arms a timer; the response's end disarms it. When it fires,
// the transport drops the socket and the call's supervisor reconnects (docs/voice-agents.md §Failures).

/** One call's silence timer; `onSilent` runs when an expected answer stays silent for `timeoutMs` (null: never). */
export class SilenceWatch {
  #timer: NodeJS.Timeout | undefined;
  #awaiting = false;

  constructor(
    private readonly timeoutMs: number | null,
    private readonly onSilent: () => void,
  ) {}

  /** An answer is now expected: start (or restart) the watch. */
  expect(): void {
    this.#awaiting = true;
    this.#arm();
  }

  /** The model sent something: if an answer is expected, the silence starts again from now. */
  heard(): void {
    if (this.#awaiting) this.#arm();
  }

  /** The answer is complete (or the connection is gone): nothing is expected any more. */
  answered(): void {
    this.#awaiting = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    if (this.timeoutMs === null) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#fire, this.timeoutMs);
    this.#timer.unref?.();
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    if (this.#awaiting) this.onSilent();
  };
}
