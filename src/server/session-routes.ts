// The sessions API: GET /api/sessions, GET /api/sessions/:id, POST /api/sessions/:id/play (a WAV body) and
// POST /api/sessions/:id/stop-audio. play and stop-audio are written once (controlSession), for this node's routes and
// for the requests another node forwards over NATS or another `serve --workers` worker over IPC (answerForwarded), so
// all answer alike.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readWav, toMono } from '../audio/index.js';
import { isMediaError, type MediaHub, type MediaSession, type SessionSummary } from '../media/index.js';
import type { ControlOp, ControlReply, PerformControl } from '../cluster/index.js';
import { HttpError, readBody, sendJson } from './http-io.js';

const SESSION_ROUTE = /^\/api\/sessions\/([^/]+)(?:\/(play|stop-audio))?$/;
const NO_BODY = new Uint8Array(0);

/** play (a WAV body) or stop-audio on a session: the 202 reply, or an HttpError (400 bad_wav, 409 a media code). */
export function controlSession(session: MediaSession, op: ControlOp, body: Uint8Array): ControlReply {
  if (op === 'stop-audio') {
    session.stopAudio();
    return { status: 202, body: { stopped: true } };
  }
  let wav;
  try {
    wav = readWav(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  } catch (error) {
    throw new HttpError(400, 'bad_wav', `The body is not a WAV file we can play: ${(error as Error).message}`);
  }
  try {
    const handle = session.play({ pcm: toMono(wav.samples, wav.channels), sampleRate: wav.sampleRate });
    return { status: 202, body: { playId: handle.id, durationMs: Math.round(wav.durationMs) } };
  } catch (error) {
    if (isMediaError(error)) throw new HttpError(409, error.code, error.message);
    throw error;
  }
}

/** How this node answers an operation another node forwarded to it: the same as its own route, as plain data. */
export function answerForwarded(hub: MediaHub): PerformControl {
  return (op, sessionId, body) => {
    const session = hub.get(sessionId);
    if (session === undefined) return failure(404, 'session_not_found', `No session "${sessionId}" on this node. GET /api/sessions lists them.`);
    try {
      return controlSession(session, op, body);
    } catch (error) {
      if (error instanceof HttpError) return failure(error.status, error.code, error.message);
      throw error;
    }
  };
}

/** The sessions beyond this process: the other NATS nodes (a NatsNode), or the other workers of `serve --workers`. */
export interface SessionPeers {
  /** This process's sessions and every other one's. */
  clusterSessions(): Promise<{ sessions: SessionSummary[]; error?: string }>;
  /** A session held elsewhere. */
  remoteSession(sessionId: string): Promise<SessionSummary | undefined>;
  /** play / stop-audio on a session held elsewhere: its holder's answer, or why there is none. */
  forward(op: ControlOp, sessionId: string, body: Uint8Array): Promise<ControlReply>;
}

/** What the sessions API reads. */
export interface SessionRoutesOptions {
  hub: MediaHub;
  /** With peers, the whole server's sessions are listed and a session held elsewhere is answered or forwarded. */
  peers: SessionPeers | undefined;
  /** Largest WAV body, in bytes. */
  maxBodyBytes: number;
}

/** Answers a request of the sessions API. */
export type SessionRoutes = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<string | undefined>;

/** The sessions API; its handler resolves with the route's metrics label, or undefined when the path is not its own. */
export function createSessionRoutes(options: SessionRoutesOptions): SessionRoutes {
  const { hub, peers, maxBodyBytes } = options;

  /** A session another node or worker holds: GET answers from the peers; play / stop-audio go to the owner. */
  async function routeToOwner(node: SessionPeers, req: IncomingMessage, res: ServerResponse, sessionId: string, op: ControlOp | undefined): Promise<string> {
    const method = req.method ?? 'GET';
    if (op === undefined) {
      if (method !== 'GET') throw new HttpError(405, 'method_not_allowed', 'Use GET for a session.');
      const entry = await node.remoteSession(sessionId);
      if (!entry) throw new HttpError(404, 'session_not_found', `No session "${sessionId}" on any node. GET /api/sessions lists them.`);
      sendJson(res, 200, entry);
      return 'session';
    }
    if (method !== 'POST') throw new HttpError(405, 'method_not_allowed', `Use POST for ${op}.`);
    const body = op === 'play' ? await readBody(req, maxBodyBytes) : NO_BODY;
    const reply = await node.forward(op, sessionId, body);
    sendJson(res, reply.status, reply.body);
    return `${op}-forwarded`;
  }

  return async (req, res, pathname) => {
    const method = req.method ?? 'GET';
    if (pathname === '/api/sessions' && method === 'GET') {
      sendJson(res, 200, peers ? await peers.clusterSessions() : { sessions: hub.sessions().map((s) => s.summary()) });
      return 'sessions';
    }
    const match = SESSION_ROUTE.exec(pathname);
    if (!match) return undefined;
    const sessionId = decodePathSegment(match[1]);
    const op = match[2] as ControlOp | undefined;
    if (peers && !hub.get(sessionId)) return routeToOwner(peers, req, res, sessionId, op);
    const session = hub.get(sessionId);
    if (!session) throw new HttpError(404, 'session_not_found', `No session "${sessionId}". GET /api/sessions lists them.`);
    if (!op && method === 'GET') {
      sendJson(res, 200, session.summary());
      return 'session';
    }
    if (method !== 'POST') throw new HttpError(405, 'method_not_allowed', `Use POST for ${op ?? 'this route'}.`);
    // POST on the session itself is no route of this API: the caller goes on to the other routes (and a 404).
    if (!op) return undefined;
    const reply = controlSession(session, op, op === 'play' ? await readBody(req, maxBodyBytes) : NO_BODY);
    sendJson(res, reply.status, reply.body);
    return op;
  };
}

function failure(status: number, code: string, message: string): ControlReply {
  return { status, body: { error: { code, message } } };
}

/** A percent-decoded path segment; malformed encoding (`%E0%A4%A`) is the client's mistake, a 400, not a 500. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'bad_path', `The path segment "${segment.slice(0, 100)}" has malformed percent-encoding: encode it with encodeURIComponent.`);
  }
}
