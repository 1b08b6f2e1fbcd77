// Fault injection for one stream (docs/emulator.md): the scenario's faults at their call time, and inject() at any
// moment. Wire faults (burst, jitter, duplicate, reorder) bend the outbox; drop and refuse act on the media socket;
// malformed sends a broken packet; hangup and fail end the call.
import type { Logger } from 'pino';
import type { FaultSpec, Scenario } from '../media-engine-contract.js';
import type { MediaSocket } from './media-socket.js';
import type { Outbox } from './outbox.js';
import { FRAME_MS } from '../../audio/index.js';

/** What the malformed fault sends: a packet cut short, not valid JSON. */
export const MALFORMED_PACKET = '{"kind":"AudioData","audioData":{"timestamp":"';

/** A fault and the call time (ms) it is due or took effect. */
export type TimedFault = NonNullable<Scenario['faults']>[number];

/** The parts of a stream a fault acts on. */
export interface FaultTarget {
  outbox: Outbox;
  socket: MediaSocket;
  /** The default wait before a dropped socket reconnects, in call-time ms. */
  reconnectAfterMs: number;
  transportUrl: string;
  /** True once the stream has ended: faults do nothing then. */
  ended(): boolean;
  /** The call hangs up (the hangup fault). */
  hangUp(): void;
  fail(detail: string): void;
}

/** One stream's faults: what is scheduled, and what was injected (for stats). */
export class StreamFaults {
  /** Every fault injected so far, with the call time it took effect. */
  readonly injected: TimedFault[] = [];
  private readonly scheduled: TimedFault[];
  private next = 0;

  constructor(
    scheduled: TimedFault[] | undefined,
    private readonly target: FaultTarget,
    private readonly log: Logger,
  ) {
    this.scheduled = [...(scheduled ?? [])].sort((a, b) => a.atMs - b.atMs);
  }

  /** True when the scenario refuses the stream before its first frame. */
  refusesAtStart(): boolean {
    return this.scheduled.some((entry) => entry.atMs <= 0 && entry.fault.type === 'refuse');
  }

  /** Injects every scheduled fault due before the end of frame `frame`. */
  injectDue(frame: number): void {
    while (this.next < this.scheduled.length && this.scheduled[this.next].atMs < (frame + 1) * FRAME_MS) {
      this.inject(this.scheduled[this.next++].fault, frame);
    }
  }

  /** Injects `fault` at frame `frame`. */
  inject(fault: FaultSpec, frame: number): void {
    const { target } = this;
    if (target.ended()) return;
    this.injected.push({ atMs: frame * FRAME_MS, fault });
    this.log.info({ fault }, 'fault injected');
    if (target.outbox.apply(fault, frame)) return;
    const phase = target.socket.phase;
    switch (fault.type) {
      case 'drop':
        if (phase === 'open') target.socket.drop(fault.reconnectAfterMs ?? target.reconnectAfterMs);
        return;
      case 'refuse':
        // Every connection from now on is refused: before the first, streaming fails; on a live stream the
        // socket drops and the reconnect is refused, so the call reports the failure.
        target.socket.refuse();
        if (phase === 'idle' || phase === 'connecting') {
          target.fail(`the stream connection to ${target.transportUrl} was refused (refuse fault)`);
        } else if (phase === 'open') {
          target.socket.drop(0);
        }
        return;
      case 'malformed':
        target.socket.sendRaw(MALFORMED_PACKET);
        return;
      case 'hangup':
        target.hangUp();
        return;
      case 'fail':
        target.fail('media streaming failed (fail fault)');
        return;
      default:
        return;
    }
  }
}
