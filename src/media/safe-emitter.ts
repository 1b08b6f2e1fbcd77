/* eslint-disable @typescript-eslint/no-explicit-any -- listener signatures mirror EventEmitter */
// An event emitter whose emit never throws: a listener that throws is logged and isolated, and the others still run.
// (Node's EventEmitter.emit would rethrow into the frame path and take the stream down.)
import type { Logger } from 'pino';

type Listener = (...args: any[]) => void;

/** Listener errors are logged for the first one and then every LOG_EVERY-th, so a broken handler cannot flood logs. */
const LOG_EVERY = 1000;

/** on/off/emit with per-listener isolation; emit takes one argument so it allocates nothing. */
export class SafeEmitter {
  /** Listener errors caught so far. */
  listenerErrors = 0;
  private readonly listeners = new Map<string, Listener[]>();

  constructor(
    private readonly logger: Logger,
    private readonly context: Record<string, unknown>,
  ) {}

  /** Add a listener (copy-on-write, so emitting while listeners change is safe). */
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  /** Add a listener that is removed after its first call. */
  once(event: string, listener: Listener): this {
    const wrapper: Listener = (...args) => {
      this.off(event, wrapper);
      listener(...args);
    };
    return this.on(event, wrapper);
  }

  /** Remove a listener. */
  off(event: string, listener: Listener): this {
    const list = this.listeners.get(event);
    if (list === undefined) return this;
    const i = list.indexOf(listener);
    if (i >= 0) this.listeners.set(event, [...list.slice(0, i), ...list.slice(i + 1)]);
    return this;
  }

  /** True when someone listens to `event` (lets callers skip work nobody wants). */
  has(event: string): boolean {
    const list = this.listeners.get(event);
    return list !== undefined && list.length > 0;
  }

  /** Call every listener of `event` with `arg`; a throwing listener is caught and logged. */
  emit(event: string, arg: unknown): void {
    const list = this.listeners.get(event);
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i](arg);
      } catch (err) {
        this.listenerErrors++;
        if (this.listenerErrors % LOG_EVERY === 1) {
          this.logger.error({ ...this.context, event, err, listenerErrors: this.listenerErrors }, 'media: an event listener threw; it was isolated and the stream goes on');
        }
      }
    }
  }
}
