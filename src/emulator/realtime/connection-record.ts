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
  turns: Array<{ itemId: string; audioStartMs: number; audioEndMs?: number }>;
  responses: Array<{ id: string; status: string; itemId?: string; audioMs: number; text?: string }>;
  truncations: Array<{ itemId: string; contentIndex: number; audioEndMs: number }>;
  toolCalls: Array<{ callId: string; name: string; arguments: string; output?: string }>;
  errors: Array<{ code: string; message: string; eventId?: string }>;
}

/** An empty record for a connection just opened. */
export function newRecord(id: string, model: string, path: string): ConnectionRecord {
  return { id, model, path, openedAt: new Date().toISOString(), eventsIn: [], audioMsAppended: 0, turns: [], responses: [], truncations: [], toolCalls: [], errors: [] };
}
