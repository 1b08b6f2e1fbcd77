// The emulator's calls: state behind a small store interface with an in-memory default (as Azurite keeps its
// metadata), so handlers never touch HTTP and a test can read what the emulator did.
import type { EngineStream, EngineStreamStats, Scenario } from './media-engine-contract.js';
import type { PlayingPrompt } from './prompt-audio.js';

/** Call states as ACS reports them (docs/protocol.md §4). */
export type CallConnectionState = 'connecting' | 'connected' | 'disconnecting' | 'disconnected';

/** mediaStreamingOptions as the SDK sends them (docs/protocol.md §4). */
export interface MediaStreamingRequest {
  transportType?: string;
  transportUrl?: string;
  audioChannelType?: string;
  contentType?: string;
  startMediaStreaming?: boolean;
  enableBidirectional?: boolean;
  audioFormat?: string;
  enableDtmfTones?: boolean;
}

/** transcriptionOptions as the SDK sends them. */
export interface TranscriptionRequest {
  transportType?: string;
  transportUrl?: string;
  locale?: string;
  startTranscription?: boolean;
  enableIntermediateResults?: boolean;
}

/** One call the emulator knows. */
export interface CallRecord {
  callConnectionId: string;
  serverCallId: string;
  correlationId: string;
  state: CallConnectionState;
  direction: 'outbound' | 'inbound';
  callbackUri: string;
  /** Raw IDs of everyone in the call but the app. */
  participants: string[];
  targets: string[];
  sourceCallerId: string | undefined;
  operationContext: string | undefined;
  mediaStreaming: MediaStreamingRequest | undefined;
  transcription: TranscriptionRequest | undefined;
  mediaSubscriptionId: string;
  mediaState: 'disabled' | 'inactive' | 'active';
  transcriptionSubscriptionId: string;
  transcriptionState: 'disabled' | 'inactive' | 'active';
  /** operationContext / callback of the streaming start, repeated on Stopped (docs/protocol.md §5). */
  streamingContext: { operationContext?: string; callbackUri?: string } | undefined;
  stream: EngineStream | undefined;
  /** The last stream's figures, kept when it ends (frames sent, what the app played back, faults). */
  mediaStats: EngineStreamStats | undefined;
  scenario: Scenario;
  /** The :play or recognize prompt the call hears now, if any (its recording mixes it in). */
  prompt?: PlayingPrompt;
  /** Every callback event posted for this call, in order (type and time), for tests and the admin API. */
  events: Array<{ type: string; time: string; delivered: boolean }>;
  createdAt: string;
  endedAt: string | undefined;
}

/** Where calls live. */
export interface CallStore {
  add(call: CallRecord): void;
  get(id: string): CallRecord | undefined;
  list(): CallRecord[];
}

/** The default store: a Map, bounded (the oldest ended calls go first). */
export function createMemoryCallStore(maxCalls = 10_000): CallStore {
  const calls = new Map<string, CallRecord>();
  return {
    add(call) {
      calls.set(call.callConnectionId, call);
      if (calls.size <= maxCalls) return;
      for (const [id, c] of calls) {
        if (c.state === 'disconnected') {
          calls.delete(id);
          return;
        }
      }
    },
    get: (id) => calls.get(id),
    list: () => [...calls.values()],
  };
}
