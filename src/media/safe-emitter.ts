// An event emitter whose emit never throws: a listener that throws is logged and isolated, and the others still run.
// (Node's EventEmitter.emit would rethrow into the frame path and take the stream down.) Typed by an event map, so a
// misspelled event name or a listener of the wrong shape fails to compile.
import type { Logger } from 'pino';

/** Event name → the one value its listeners receive. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- interfaces have no index signature; any keeps them assignable
export type EventMap = Record<keyof any, any>;
/** A listener of event `K` of map `E`. */
export type Listener<E extends EventMap, K extends keyof E> = (value: E[K]) => void;

/** Listener errors are logged for the first one and then every LOG_EVERY-th, so a broken handler cannot flood logs. */
const LOG_EVERY = 1000;

/** The on/once/off surface every typed emitter of this package offers. */
export interface TypedEvents<E extends EventMap> {
  on<K extends keyof E & string>(event: K, listener: Listener<E, K>): this;
  /** Called at most once, then removed. */
  once<K extends keyof E & string>(event: K, listener: Listener<E, K>): this;
  off<K extends keyof E & string>(event: K, listener: Listener<E, K>): this;
}

type AnyListener = (value: unknown) => void;

/** on/off/emit with per-listener isolation; emit takes one argument so it allocates nothing. */
export class SafeEmitter<E extends EventMap> implements TypedEvents<E> {
  /** Listener errors caught so far. */
  listenerErrors = 0;
  private readonly listeners = new Map<keyof E, AnyListener[]>();
  /** once-wrapper → the listener it wraps, so off(listener) also removes a pending once. */
  private readonly onceOf = new WeakMap<AnyListener, AnyListener>();

  constructor(
    private readonly logger: Logger,
    private readonly context: Record<string, unknown>,
  ) {}

  /** Add a listener (copy-on-write, so emitting while listeners change is safe). */
  on<K extends keyof E & string>(event: K, listener: Listener<E, K>): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener as AnyListener]);
    return this;
  }

  /** Add a listener that is removed before its first call. */
  once<K extends keyof E & string>(event: K, listener: Listener<E, K>): this {
    const wrapper: AnyListener = (value) => {
      this.remove(event, wrapper);
      (listener as AnyListener)(value);
    };
    this.onceOf.set(wrapper, listener as AnyListener);
    return this.on(event, wrapper as Listener<E, K>);
  }

  /** Remove a listener (added with on or once). */
  off<K extends keyof E & string>(event: K, listener: Listener<E, K>): this {
    const list = this.listeners.get(event);
    if (list === undefined) return this;
    const i = list.findIndex((l) => l === listener || this.onceOf.get(l) === listener);
    if (i >= 0) this.remove(event, list[i]);
    return this;
  }

  /** True when someone listens to `event` (lets callers skip work nobody wants). */
  has(event: keyof E & string): boolean {
    const list = this.listeners.get(event);
    return list !== undefined && list.length > 0;
  }

  /** Call every listener of `event` with `value`; a throwing listener is caught and logged. */
  emit<K extends keyof E & string>(event: K, value: E[K]): void {
    const list = this.listeners.get(event);
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i](value);
      } catch (err) {
        this.listenerErrors++;
        if (this.listenerErrors % LOG_EVERY === 1) {
          this.logger.error({ ...this.context, event, err, listenerErrors: this.listenerErrors }, 'media: an event listener threw; it was isolated and the stream goes on');
        }
      }
    }
  }

  private remove(event: keyof E, listener: AnyListener): void {
    const list = this.listeners.get(event);
    if (list === undefined) return;
    const i = list.indexOf(listener);
    if (i >= 0) this.listeners.set(event, [...list.slice(0, i), ...list.slice(i + 1)]);
  }
}

/** The on/once/off of a class whose events are part of its API, delegated to the SafeEmitter it emits on. */
export abstract class EmitterDoor<E extends EventMap> implements TypedEvents<E> {
  constructor(protected readonly emitter: SafeEmitter<E>) {}

  on<K extends keyof E & string>(event: K, listener: Listener<E, K>): this {
    this.emitter.on(event, listener);
    return this;
  }

  once<K extends keyof E & string>(event: K, listener: Listener<E, K>): this {
    this.emitter.once(event, listener);
    return this;
  }

  off<K extends keyof E & string>(event: K, listener: Listener<E, K>): this {
    this.emitter.off(event, listener);
    return this;
  }
}
