// The agent's side of the transcript as the caller heard it: a line is written once its audio has played out, and an
// answer cut by barge-in keeps only the share of its words the caller heard (by time, marked with "…"), so
// transcript.jsonl matches the conversation the model was told about by the truncate.
import type { MediaSession, PlayoutEvent } from '../media/index.js';

interface Pending {
  text: string | undefined;
  playout: PlayoutEvent | undefined;
  /** Audio the model generated for the item (ms): a paced playback sends only what is due, so sentMs is no measure. */
  generatedMs: () => number;
}

/** Words of `text` heard in `heardMs` of `totalMs`, by time; the whole text when all (but the last frames) was heard. */
export function heardPart(text: string, heardMs: number, totalMs: number): string {
  if (totalMs <= 0 || heardMs >= totalMs - 40) return text;
  const words = text.split(/\s+/).filter(Boolean);
  const kept = Math.round((words.length * Math.max(0, heardMs)) / totalMs);
  return kept === 0 ? '…' : `${words.slice(0, kept).join(' ')} …`;
}

/** Follows one session's agent playbacks and writes each agent line when it has been heard (or cut). */
export class HeardTranscript {
  readonly #items = new Map<string, Pending>();
  readonly #itemOfPlay = new Map<string, string>();

  constructor(private readonly session: MediaSession) {
    session.on('played', this.#onPlayout);
    session.on('cut', this.#onPlayout);
  }

  /** The model's audio for `itemId` plays as `playId`. */
  opened(itemId: string, playId: string, generatedMs: () => number): void {
    this.#itemOfPlay.set(playId, itemId);
    if (!this.#items.has(itemId)) this.#items.set(itemId, { text: undefined, playout: undefined, generatedMs });
  }

  /** The model's transcript of `itemId`; written now when the item has no audio, else once it has been heard. */
  text(itemId: string | undefined, text: string): void {
    const pending = itemId === undefined ? undefined : this.#items.get(itemId);
    if (pending === undefined) return this.#write(text, undefined);
    pending.text = text;
    this.#flush(itemId!, pending);
  }

  close(): void {
    this.session.off('played', this.#onPlayout);
    this.session.off('cut', this.#onPlayout);
  }

  readonly #onPlayout = (event: PlayoutEvent): void => {
    const itemId = this.#itemOfPlay.get(event.playId);
    if (itemId === undefined) return;
    this.#itemOfPlay.delete(event.playId);
    const pending = this.#items.get(itemId);
    if (pending === undefined) return;
    pending.playout = event;
    this.#flush(itemId, pending);
  };

  #flush(itemId: string, pending: Pending): void {
    if (pending.text === undefined || pending.playout === undefined) return;
    this.#items.delete(itemId);
    const { heardMs, startTimelineMs } = pending.playout;
    this.#write(heardPart(pending.text, heardMs, pending.generatedMs()), startTimelineMs);
  }

  #write(text: string, timelineMs: number | undefined): void {
    if (this.session.state === 'ended' || this.session.state === 'failed') return;
    this.session.addTranscript(timelineMs === undefined ? { speaker: 'agent', text } : { speaker: 'agent', text, timelineMs });
  }
}
