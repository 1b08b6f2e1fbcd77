// Per-call figures of the bridge (what the demo prints and the bench aggregates): plain numbers and bounded sample
// lists, so the hot path only pushes a number.

/** One conversation.item.truncate the bridge sent: what the caller heard vs what the model had generated. */
export interface AgentTruncation {
  itemId: string;
  contentIndex: number;
  /** audio_end_ms sent: the agent audio the caller heard (pacing model), ms. */
  audioEndMs: number;
  /** Audio the model had generated for the item by then, ms. */
  generatedMs: number;
}

/** The most recent latency samples (a ring of `capacity`), in ms. */
export class LatencySamples {
  private readonly values: Float64Array;
  private next = 0;
  /** Samples pushed so far (may exceed capacity; the oldest are overwritten). */
  count = 0;

  constructor(capacity = 4096) {
    this.values = new Float64Array(capacity);
  }

  push(ms: number): void {
    this.values[this.next] = ms;
    this.next = (this.next + 1) % this.values.length;
    this.count++;
  }

  /** The kept samples, oldest first. */
  toArray(): number[] {
    const n = Math.min(this.count, this.values.length);
    const start = this.count > this.values.length ? this.next : 0;
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(this.values[(start + i) % this.values.length]);
    return out;
  }

  /** The p-th percentile (0-100) of the kept samples; undefined when empty. */
  percentile(p: number): number | undefined {
    const sorted = this.toArray().sort((a, b) => a - b);
    if (sorted.length === 0) return undefined;
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  }
}

/** Counters and samples of one call's bridge. */
export class BridgeStats {
  /** Model connections opened (1 + reconnects). */
  connects = 0;
  turns = 0;
  bargeIns = 0;
  /** Times the model went silent during a turn (socket closed, counted as a failure). */
  modelSilent = 0;
  /** 20 ms caller frames sent to the model. */
  inputFramesSent = 0;
  /** Model audio that could not be played (the session had ended). */
  audioDropped = 0;
  readonly truncations: AgentTruncation[] = [];
  /** speech_stopped → first agent audio handed to ACS, per turn. */
  readonly turnLatencyMs = new LatencySamples(1024);
  /** Model audio delta received → written to the session's playback (AudioData to ACS). */
  readonly audioOutLatencyMs = new LatencySamples();
  /** speech_started received → StopAudio written. */
  readonly stopAudioLatencyMs = new LatencySamples(1024);
}
