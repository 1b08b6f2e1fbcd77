// The server's message and API types, seen from the dashboard (type-only: nothing of the server is bundled).
export type * from '../../src/server/live-feed-messages.js';
export type { RecordingEntry, RecordingFile } from '../../src/server/recordings-api.js';
export type { SessionSummary, SessionState } from '../../src/media/index.js';
