// Call Automation callback events (docs/protocol.md §5): CloudEvents arrays POSTed to /api/callbacks.
// Keeps per-call state and hands each event to the media hub, which links it to the call's media session.

/** One callback event as the server keeps it. */
export interface CallEvent {
  /** Short type, e.g. `CallConnected` (without the `Microsoft.Communication.` prefix). */
  type: string;
  callConnectionId: string | undefined;
  serverCallId: string | undefined;
  correlationId: string | undefined;
  operationContext: string | undefined;
  time: string | undefined;
  /** The event's `data`, as it came. */
  data: Record<string, unknown>;
}

/** What the server knows about one call from its callbacks. */
export interface CallState {
  callConnectionId: string;
  serverCallId: string | undefined;
  correlationId: string | undefined;
  /** connected | disconnected | ... from the latest lifecycle event. */
  state: string;
  /** Latest media streaming status (mediaStreamingStarted, ...Stopped, ...Failed) and its details. */
  mediaStreaming: { status: string; details: string | undefined } | undefined;
  /** The media streaming subscription, when the server answered the call itself. */
  subscriptionId: string | undefined;
  events: Array<{ type: string; time: string | undefined; operationContext: string | undefined }>;
}

const TYPE_PREFIX = 'Microsoft.Communication.';
const MAX_EVENTS_PER_CALL = 200;
const LIFECYCLE: Record<string, string> = {
  CallConnected: 'connected',
  CallDisconnected: 'disconnected',
  CreateCallFailed: 'failed',
  AnswerFailed: 'failed',
  CallTransferAccepted: 'transferred',
};

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Reads a callback body: a CloudEvents array (or a single event), returning every event it can make sense of. */
export function parseCallEvents(body: unknown): { events: CallEvent[]; invalid: number } {
  const items = Array.isArray(body) ? body : [body];
  const events: CallEvent[] = [];
  let invalid = 0;
  for (const item of items) {
    if (typeof item !== 'object' || item === null || typeof (item as { type?: unknown }).type !== 'string') {
      invalid++;
      continue;
    }
    const raw = item as { type: string; data?: unknown; time?: unknown };
    const data = (typeof raw.data === 'object' && raw.data !== null ? raw.data : {}) as Record<string, unknown>;
    events.push({
      type: raw.type.startsWith(TYPE_PREFIX) ? raw.type.slice(TYPE_PREFIX.length) : raw.type,
      callConnectionId: text(data.callConnectionId),
      serverCallId: text(data.serverCallId),
      correlationId: text(data.correlationId),
      operationContext: text(data.operationContext),
      time: text(raw.time),
      data,
    });
  }
  return { events, invalid };
}

/** Per-call state built from callback events; bounded (oldest ended calls are forgotten first). */
export class CallRegistry {
  private readonly calls = new Map<string, CallState>();

  constructor(private readonly maxCalls = 1000) {}

  /** Notes that the server answered a call whose media streaming subscription is known. */
  noteSubscription(callConnectionId: string, subscriptionId: string | undefined): CallState {
    const call = this.ensure(callConnectionId);
    call.subscriptionId = subscriptionId ?? call.subscriptionId;
    return call;
  }

  /** Applies one event; returns the call's state (undefined when the event names no call). */
  apply(event: CallEvent): CallState | undefined {
    if (!event.callConnectionId) return undefined;
    const call = this.ensure(event.callConnectionId);
    call.serverCallId ??= event.serverCallId;
    call.correlationId ??= event.correlationId;
    const lifecycle = LIFECYCLE[event.type];
    if (lifecycle) call.state = lifecycle;
    const update = event.data.mediaStreamingUpdate as { mediaStreamingStatus?: unknown; mediaStreamingStatusDetails?: unknown } | undefined;
    if (update && typeof update === 'object') {
      call.mediaStreaming = { status: text(update.mediaStreamingStatus) ?? 'unknown', details: text(update.mediaStreamingStatusDetails) };
    }
    call.events.push({ type: event.type, time: event.time, operationContext: event.operationContext });
    if (call.events.length > MAX_EVENTS_PER_CALL) call.events.shift();
    return call;
  }

  get(callConnectionId: string): CallState | undefined {
    return this.calls.get(callConnectionId);
  }

  list(): CallState[] {
    return [...this.calls.values()];
  }

  private ensure(callConnectionId: string): CallState {
    let call = this.calls.get(callConnectionId);
    if (!call) {
      call = {
        callConnectionId,
        serverCallId: undefined,
        correlationId: undefined,
        state: 'connecting',
        mediaStreaming: undefined,
        subscriptionId: undefined,
        events: [],
      };
      this.calls.set(callConnectionId, call);
      this.forgetOldest();
    }
    return call;
  }

  private forgetOldest(): void {
    if (this.calls.size <= this.maxCalls) return;
    for (const [id, call] of this.calls) {
      if (call.state === 'disconnected' || call.state === 'failed') {
        this.calls.delete(id);
        return;
      }
    }
    this.calls.delete(this.calls.keys().next().value as string);
  }
}
