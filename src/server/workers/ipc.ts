// The messages between `serve --workers`' primary and its worker processes, over the IPC channel of child_process.fork.
// The primary hands each accepted socket to one worker (Handover, with the socket as the handle); a worker asks the
// others about the whole server through the primary (PeerAsk → PeerQuestion to every other worker → PeerAnswer →
// PeerAnswers back), which only relays: what each worker answers is decided in worker.ts.
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { SessionSummary } from '../../media/index.js';
import type { ControlOp, ControlReply } from '../../cluster/index.js';
import type { CallEvent } from '../call-events.js';

/** A question one worker asks every other worker. */
export type PeerRequest =
  | { op: 'sessions' }
  | { op: 'session'; sessionId: string }
  /** play / stop-audio; only the worker holding the session answers (the others answer null). */
  | { op: 'control'; control: ControlOp; sessionId: string; body: string }
  | { op: 'metrics' }
  /** Callback events another worker received: applied by every worker (answered with null). */
  | { op: 'callbacks'; events: CallEvent[] };

/** What a worker answers to a PeerRequest (null: not mine). */
export type PeerReply = WorkerSessionSummary[] | WorkerSessionSummary | ControlReply | MetricsSnapshot | null;

/** One worker's metrics: its registry as JSON (prom-client's cluster aggregation input) and its event-loop use. */
export interface MetricsSnapshot {
  worker: number;
  pid: number;
  metrics: Array<MetricObjectWithValues<MetricValue<string>>>;
}

/** A session as the whole server lists it: which worker (slot, process) holds it. */
export type WorkerSessionSummary = SessionSummary & { worker: number; pid: number };

/** Primary → worker: a connection to serve. `head` (base64) is what the primary read of it already. */
export interface Handover {
  kind: 'connection';
  head: string;
}

/** Primary → worker: another worker's question; answer with PeerAnswer carrying the same id. */
export interface PeerQuestion {
  kind: 'question';
  id: number;
  request: PeerRequest;
}

/** Primary → worker: the answers of every other worker to the worker's PeerAsk (a worker that did not answer in time
 *  is missing from them). */
export interface PeerAnswers {
  kind: 'answers';
  id: number;
  replies: PeerReply[];
}

/** Worker → primary: ask every other worker. */
export interface PeerAsk {
  kind: 'ask';
  id: number;
  request: PeerRequest;
}

/** Worker → primary: this worker's answer to a PeerQuestion. */
export interface PeerAnswer {
  kind: 'answer';
  id: number;
  reply: PeerReply;
}

/** Worker → primary: the server listens (it takes connections from now on). */
export interface WorkerReady {
  kind: 'ready';
}

/** Worker → primary: a session's recording folder (repaired by the primary when the worker dies before ending it). */
export interface SessionRecordingNote {
  kind: 'recording';
  sessionId: string;
  dir: string | undefined;
  ended: boolean;
}

export type PrimaryMessage = Handover | PeerQuestion | PeerAnswers;
export type WorkerMessage = PeerAsk | PeerAnswer | WorkerReady | SessionRecordingNote;

const PRIMARY_KINDS = new Set(['connection', 'question', 'answers']);
const WORKER_KINDS = new Set(['ask', 'answer', 'ready', 'recording']);

function kindOf(message: unknown): unknown {
  return typeof message === 'object' && message !== null ? (message as { kind?: unknown }).kind : undefined;
}

/** A message the primary sent (anything else on the channel is ignored). */
export function isPrimaryMessage(message: unknown): message is PrimaryMessage {
  return PRIMARY_KINDS.has(kindOf(message) as string);
}

/** A message a worker sent. */
export function isWorkerMessage(message: unknown): message is WorkerMessage {
  return WORKER_KINDS.has(kindOf(message) as string);
}

/** The environment variable a worker process finds its slot in (set by the primary, never by a user). */
export const WORKER_SLOT_ENV = 'ACS_AUDIO_WORKER_SLOT';
/** The environment variable a worker finds the server's URL in (the primary's listening address). */
export const WORKER_URL_ENV = 'ACS_AUDIO_WORKER_URL';
