// The model's audio as the caller hears it: one PlayStream per output item (responseId, itemId, contentIndex), the
// response in progress, and what the caller has heard of each. Barge-in cuts it all (cutAll); a lost model
// connection leaves what was received playing as orphans, which a barge-in still cuts but nobody truncates.
import type { MediaSession } from '../media/index.js';
import { openPlayStream, type AgentPlayStream } from './play-stream.js';

/** One output item of the model being played to the caller. */
export interface PlaybackItem {
  responseId: string;
  itemId: string;
  contentIndex: number;
  stream: AgentPlayStream;
  /** Audio the model generated for the item so far, ms. */
  generatedMs: number;
  /** playedMs frozen when a barge-in cut it. */
  cutAtMs: number | undefined;
}

/** What a barge-in took off the air: the items that were playing and the response that was in progress. */
export interface CutPlayback {
  items: PlaybackItem[];
  activeResponseId: string | null;
}

/** The playbacks of one call's agent. */
export class AgentPlayback {
  #items: PlaybackItem[] = [];
  /** Playbacks of a previous model connection: still cut by barge-in, never truncated (their items are gone). */
  readonly #orphans = new Set<AgentPlayStream>();
  #activeResponseId: string | null = null;
  /** Responses cut by barge-in: audio the model still sends for them is dropped. */
  readonly #discarded = new Set<string>();
  #idleWaiters: Array<() => void> = [];

  constructor(
    private readonly session: MediaSession,
    private readonly sampleRate: number,
    private readonly maxQueuedMs: number,
    /** A new item's playback opened (the heard transcript follows it). */
    private readonly onOpened: (item: PlaybackItem) => void,
  ) {}

  /** True while a response is in progress or an item is queued (what a barge-in cuts and truncates). */
  get busy(): boolean {
    return this.#items.length > 0 || this.#activeResponseId !== null;
  }

  /** True while the caller may be hearing agent audio, orphans included (what StopAudio is for). */
  get audible(): boolean {
    return this.busy || this.#orphans.size > 0;
  }

  /** Ms of agent audio queued but not yet heard (0 when idle). */
  get pendingMs(): number {
    let ms = 0;
    for (const item of this.#items) ms += item.generatedMs - item.stream.playedMs;
    return ms;
  }

  responseCreated(responseId: string): void {
    this.#activeResponseId = responseId;
  }

  /** The model finished the response: its items play out what they have, and a cut response is forgotten. */
  responseDone(responseId: string): void {
    this.#discarded.delete(responseId);
    if (this.#activeResponseId === responseId) this.#activeResponseId = null;
    for (const item of this.#items) if (item.responseId === responseId) item.stream.end();
    this.#checkIdle();
  }

  /** The model finished one item's audio. */
  itemDone(responseId: string, itemId: string): void {
    for (const item of this.#items) if (item.responseId === responseId && item.itemId === itemId) item.stream.end();
  }

  /** True when the response was cut by barge-in (its late audio must not play). */
  isDiscarded(responseId: string): boolean {
    return this.#discarded.has(responseId);
  }

  /** The item's playback, opened on its first audio; undefined when the session can no longer play. */
  item(responseId: string, itemId: string, contentIndex: number): PlaybackItem | undefined {
    for (const item of this.#items) {
      if (item.itemId === itemId && item.contentIndex === contentIndex && item.responseId === responseId) return item;
    }
    let stream: AgentPlayStream;
    try {
      stream = openPlayStream(this.session, this.sampleRate, this.maxQueuedMs);
    } catch {
      // The session has ended or lost its socket: nothing can be played, the recording is unaffected.
      return undefined;
    }
    const item: PlaybackItem = { responseId, itemId, contentIndex, stream, generatedMs: 0, cutAtMs: undefined };
    this.#items.push(item);
    this.onOpened(item);
    void stream.done.then(() => this.#forget(item), () => this.#forget(item));
    return item;
  }

  /** Freezes what each item has been heard to: StopAudio has just been sent, nothing more reaches the caller. */
  freezeHeard(): void {
    for (const item of this.#items) item.cutAtMs = item.stream.playedMs;
  }

  /** Cancels the orphans of a previous connection (StopAudio silenced them already). */
  cancelOrphans(): void {
    for (const stream of this.#orphans) stream.cancel();
    this.#orphans.clear();
  }

  /** Barge-in: cancels every item, discards the response in progress and its late audio; returns what was cut. */
  cutAll(): CutPlayback {
    const items = this.#items;
    this.#items = [];
    const activeResponseId = this.#activeResponseId;
    this.#activeResponseId = null;
    if (activeResponseId !== null) this.#discarded.add(activeResponseId);
    for (const item of items) {
      this.#discarded.add(item.responseId);
      item.stream.cancel();
    }
    this.#checkIdle();
    return { items, activeResponseId };
  }

  /** The model connection is gone: what was received plays on as orphans; the conversation's state is dropped. */
  orphanAll(): void {
    for (const item of this.#items) {
      const stream = item.stream;
      stream.end();
      this.#orphans.add(stream);
      void stream.done.then(() => this.#orphans.delete(stream), () => this.#orphans.delete(stream));
    }
    this.#items = [];
    this.#activeResponseId = null;
    this.#discarded.clear();
    this.#checkIdle();
  }

  /** The call has ended: every item stops. */
  cancelAll(): void {
    for (const item of this.#items) item.stream.cancel();
    this.#items = [];
    this.#checkIdle();
  }

  /** Resolves once the response in progress is done and all its audio has been heard (or cut). */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #forget(item: PlaybackItem): void {
    const i = this.#items.indexOf(item);
    if (i >= 0) this.#items.splice(i, 1);
    this.#checkIdle();
  }

  #checkIdle(): void {
    if (this.busy) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }
}
