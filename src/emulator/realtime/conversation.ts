// The conversation as the service keeps it: items in order, each with its audio length (cut by a truncate), so
// `conversation.item.retrieve` and `truncate` answer from what the stand-in really holds.
import type { TimedWord } from './known-speech.js';
import type { AssistantMessageItem, SendEvent, SystemMessageItem, UserMessageItem, WireItem } from './server-events.js';
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
  raw: WireItem;
}

export class Conversation {
  private readonly items = new Map<string, Item>();
  /** The id the next item's `previous_item_id` names. */
  lastItemId: string | null = null;

  constructor(private readonly send: SendEvent) {}

  get(id: string): Item | undefined {
    return this.items.get(id);
  }

  /** Keeps an item without announcing it (the response stream announces its own). */
  keep(item: Item): void {
    this.items.set(item.id, item);
    this.lastItemId = item.id;
  }

  /** Keeps a finished item and announces it: `conversation.item.added`, then `conversation.item.done`. */
  add(item: WireItem, audioMs: number): void {
    const previous = this.lastItemId;
    this.keep({ id: item.id, type: item.type, audioMs, raw: item });
    this.send('conversation.item.added', { previous_item_id: previous, item });
    this.send('conversation.item.done', { previous_item_id: previous, item });
  }
}

const CONTENT_TYPES = { system: ['input_text'], user: ['input_text', 'input_audio', 'input_image'], assistant: ['output_text', 'output_audio'] } as const;

/** A `conversation.item.create` item as the conversation keeps it, or what is wrong with it (message, param). */
export function itemFromClient(item: Json, id: string): { item: WireItem } | { message: string; param: string } {
  const base = { id, object: 'realtime.item', status: 'completed' } as const;
  if (item.type === 'function_call_output') {
    if (typeof item.call_id !== 'string') return { message: "Missing required parameter: 'item.call_id'.", param: 'item.call_id' };
    return { item: { ...base, type: 'function_call_output', call_id: item.call_id, output: typeof item.output === 'string' ? item.output : JSON.stringify(item.output) } };
  }
  if (item.type === 'function_call') {
    if (typeof item.name !== 'string') return { message: "Missing required parameter: 'item.name'.", param: 'item.name' };
    const args = typeof item.arguments === 'string' ? item.arguments : JSON.stringify(item.arguments ?? {});
    return { item: { ...base, type: 'function_call', name: item.name, call_id: typeof item.call_id === 'string' ? item.call_id : `call_${id}`, arguments: args } };
  }
  if (item.type !== 'message') return { message: `Invalid item type ${JSON.stringify(item.type)}: use message, function_call or function_call_output.`, param: 'item.type' };
  const role = item.role;
  if (role !== 'system' && role !== 'user' && role !== 'assistant') return { message: `Invalid role ${JSON.stringify(role)}: use system, user or assistant.`, param: 'item.role' };
  const allowed: readonly string[] = CONTENT_TYPES[role];
  const content = item.content;
  if (!Array.isArray(content) || !content.every((c) => typeof c === 'object' && c !== null && allowed.includes((c as Json).type as string))) {
    return { message: `item.content must be an array of parts of type ${allowed.join(' or ')} for a ${role} message.`, param: 'item.content' };
  }
  // The parts are the client's, checked for their type; the stand-in keeps them as sent.
  if (role === 'system') return { item: { ...base, type: 'message', role, content: content as SystemMessageItem['content'] } };
  if (role === 'user') return { item: { ...base, type: 'message', role, content: content as UserMessageItem['content'] } };
  return { item: { ...base, type: 'message', role, content: content as AssistantMessageItem['content'] } };
}
