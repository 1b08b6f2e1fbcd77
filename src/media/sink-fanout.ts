// The sink fan-out, where a session's tracks deliver: a committed frame goes to every attached sink in order, then to
// the session's 'audio' listeners; a sink that throws is detached (its error kept for session.json, logged and
// emitted as 'sinkError'), and the others go on. No closure per frame.
import type { Logger } from 'pino';
import type { AudioFrame, MediaSessionEvents, Sink } from './contract.js';
import { MediaError, MediaErrorCode } from './media-error.js';
import type { SafeEmitter } from './safe-emitter.js';
import type { TrackOutput } from './track.js';

/** A detached sink as session.json records it. */
export interface SinkErrorRecord {
  sink: string;
  code: string;
  message: string;
}

/** Ordered sinks with detach-on-throw, then the session's 'audio' listeners. */
export class SinkFanout implements TrackOutput {
  readonly errors: SinkErrorRecord[] = [];
  private sinks: Sink[] = [];

  constructor(
    private readonly emitter: SafeEmitter<MediaSessionEvents>,
    private readonly logger: Logger,
  ) {}

  /** TrackOutput: a committed frame goes to every sink, then to app 'audio' listeners. */
  deliver(frame: AudioFrame): void {
    this.write(frame);
    this.emitter.emit('audio', frame);
  }

  add(sink: Sink): void {
    if (!this.sinks.includes(sink)) this.sinks = [...this.sinks, sink];
  }

  /** Detach without closing; false when `sink` was not attached. */
  remove(sink: Sink): boolean {
    const before = this.sinks.length;
    this.sinks = this.sinks.filter((s) => s !== sink);
    return this.sinks.length !== before;
  }

  /** Every sink in order; a throwing sink is detached and closed, the rest still get the frame. */
  private write(frame: AudioFrame): void {
    const sinks = this.sinks;
    for (let i = 0; i < sinks.length; i++) {
      try {
        sinks[i].write(frame);
      } catch (err) {
        this.detach(sinks[i], err);
      }
    }
  }

  /** Close every sink; one whose close rejects is detached and reported like a throwing write. */
  async closeAll(): Promise<void> {
    const sinks = this.sinks;
    const results = await Promise.allSettled(sinks.map((s) => s.close()));
    results.forEach((r, i) => {
      if (r.status === 'rejected') this.detach(sinks[i], r.reason);
    });
  }

  private detach(sink: Sink, err: unknown): void {
    this.remove(sink);
    const error = err instanceof MediaError ? err : new MediaError(MediaErrorCode.SinkFailed, `sink ${sink.name} threw and was detached`, { cause: err });
    this.errors.push({ sink: sink.name, code: error.code, message: error.message });
    sink.close().catch(() => undefined);
    this.logger.error({ sink: sink.name, err: error }, 'media: a sink threw; it was detached and the other sinks go on');
    this.emitter.emit('sinkError', error);
  }
}
