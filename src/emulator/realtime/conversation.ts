// The conversation as the service keeps it: items in order, each with its audio length (cut by a truncate), so
// `conversation.item.retrieve` and `truncate` answer from what the stand-in really holds.
import type { TimedWord } from './known-speech.js';
import type { Json } from './session-config.js';

/** One item as kept. */
export interface Item {
  id: string;
  type: string;
  /** Ms of audio the item holds (0 for text and tool items). */
  audioMs: number;
  truncatedMs?: number;
  /** An assistant item's transcript: all of it, or after a truncate the words heard. */
  transcript?: string;
  /** An assistant item's words and where they are in its audio. */
  words?: TimedWord[];
  /** The item as sent on the wire, last version. */
  raw: Json;
}

export class Conversation {
  private readonly items = new Map<string, Item>();
  /** The id the next item's `previous_item_id` names. */
  lastItemId: string | null = null;

  constructor(private readonly send: (type: string, body: Json) => void) {}

  get(id: string): Item | undefined {
    return this.items.get(id);
  }

  /** Keeps an item without announcing it (the response stream announces its own). */
  keep(item: Item): void {
    this.items.set(item.id, item);
    this.lastItemId = item.id;
  }

  /** Keeps a finished item and announces it: `conversation.item.added`, then `conversation.item.done`. */
  add(item: Json, audioMs: number): void {
    const previous = this.lastItemId;
    this.keep({ id: item.id as string, type: item.type as string, audioMs, raw: item });
    this.send('conversation.item.added', { previous_item_id: previous, item });
    this.send('conversation.item.done', { previous_item_id: previous, item });
  }
}
