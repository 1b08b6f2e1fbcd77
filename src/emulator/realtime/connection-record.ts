// What the admin API shows of a model connection: everything it received and did, for tests to assert on.

/** Everything a connection received and did, for tests. */
export interface ConnectionRecord {
  id: string;
  model: string;
  path: string;
  openedAt: string;
  closedAt?: string;
  eventsIn: string[];
  audioMsAppended: number;
  /** User turns; `transcript` is what input transcription sent (known fixture text, or `[speech N ms]`). */
  turns: Array<{ itemId: string; audioStartMs: number; audioEndMs?: number; transcript?: string }>;
  responses: Array<{ id: string; status: string; itemId?: string; audioMs: number; text?: string }>;
  /** `heardText`: the words of the item's transcript up to `audioEndMs` (what the caller heard). */
  truncations: Array<{ itemId: string; contentIndex: number; audioEndMs: number; heardText?: string }>;
  toolCalls: Array<{ callId: string; name: string; arguments: string; output?: string }>;
  errors: Array<{ code: string; message: string; eventId?: string }>;
}

/** An empty record for a connection just opened. */
export function newRecord(id: string, model: string, path: string): ConnectionRecord {
  return { id, model, path, openedAt: new Date().toISOString(), eventsIn: [], audioMsAppended: 0, turns: [], responses: [], truncations: [], toolCalls: [], errors: [] };
}
