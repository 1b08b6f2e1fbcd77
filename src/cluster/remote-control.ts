// Talk-back across nodes: POST /api/sessions/:id/play or /stop-audio on a node without the session's socket is
// forwarded by NATS request/reply to the owner's control subject; the owner runs it and answers with its HTTP status
// and JSON body, which the forwarding node returns as is.
import { headers as natsHeaders, type Msg, type NatsConnection, type Subscription } from 'nats';
import type { Logger } from 'pino';
import type { SessionRegistry } from './session-registry.js';
import type { Subjects } from './subjects.js';

/** Operations a node performs for another. */
export type ControlOp = 'play' | 'stop-audio';

/** An HTTP answer as plain data: the forwarding node sends it on unchanged. */
export interface ControlReply {
  status: number;
  body: unknown;
}

const OP_HEADER = 'Acs-Op';
const SESSION_HEADER = 'Acs-Session';

function failure(status: number, code: string, message: string): ControlReply {
  return { status, body: { error: { code, message } } };
}

/** Runs a play or stop-audio on a session of this node: the media server's own route handler, so a forwarded request
 *  is answered exactly as a local one (404 when this node no longer holds the session). */
export type PerformControl = (op: ControlOp, sessionId: string, body: Uint8Array) => ControlReply;

/** What the control plane needs. */
export interface RemoteControlOptions {
  nc: NatsConnection;
  /** Answers the requests forwarded to this node. */
  perform: PerformControl;
  registry: SessionRegistry;
  subjects: Subjects;
  nodeId: string;
  requestTimeoutMs: number;
  logger: Logger;
}

/** One node's control responder and forwarder. */
export class RemoteControl {
  private subscription: Subscription | undefined;
  /** Plain counters for /metrics. */
  readonly counts = { served: 0, forwarded: 0, forwardFailures: 0 };

  constructor(private readonly options: RemoteControlOptions) {}

  /** Answer requests on this node's control subject. */
  start(): void {
    const { nc, subjects, nodeId } = this.options;
    this.subscription = nc.subscribe(subjects.control(nodeId), { callback: (error, msg) => (error ? undefined : this.serve(msg)) });
  }

  /** Forward an operation on a session this node does not hold to its owner; the owner's answer, or why not. */
  async forward(op: ControlOp, sessionId: string, body: Uint8Array): Promise<ControlReply> {
    const { nc, registry, subjects, requestTimeoutMs } = this.options;
    const entry = await registry.get(sessionId);
    if (entry === undefined) return failure(404, 'session_not_found', `No session "${sessionId}" on any node. GET /api/sessions lists them.`);
    if (entry.state === 'ended' || entry.state === 'failed') {
      return failure(409, 'connection_closed', `${op}: session ${sessionId} on node ${entry.node} has ended${entry.endReason ? ` (${entry.endReason})` : ''}.`);
    }
    const maxPayload = nc.info?.max_payload ?? 1024 * 1024;
    if (body.byteLength > maxPayload - 1024) {
      return failure(413, 'too_large_for_nats', `The WAV is ${body.byteLength} bytes; NATS carries at most ${maxPayload} per message to node ${entry.node}. Send a shorter clip, post it to that node, or raise max_payload in the NATS server config.`);
    }
    const h = natsHeaders();
    h.set(OP_HEADER, op);
    h.set(SESSION_HEADER, sessionId);
    this.counts.forwarded++;
    try {
      const reply = await nc.request(subjects.control(entry.node), body, { timeout: requestTimeoutMs, headers: h });
      return JSON.parse(new TextDecoder().decode(reply.data)) as ControlReply;
    } catch (error) {
      this.counts.forwardFailures++;
      const reason = (error as { code?: string }).code === '503' ? 'no node answers on its control subject' : (error as Error).message;
      return failure(503, 'owner_unreachable', `Session ${sessionId} is held by node ${entry.node}, which did not answer within ${requestTimeoutMs} ms (${reason}). Retry, or check that node.`);
    }
  }

  /** Stops answering. */
  async close(): Promise<void> {
    this.subscription?.unsubscribe();
  }

  private serve(msg: Msg): void {
    const op = msg.headers?.get(OP_HEADER);
    const sessionId = msg.headers?.get(SESSION_HEADER) ?? '';
    let reply: ControlReply;
    try {
      reply = op === 'play' || op === 'stop-audio' ? this.options.perform(op, sessionId, msg.data) : failure(400, 'bad_control_op', `Unknown control operation "${op}".`);
    } catch (error) {
      this.options.logger.error({ err: error, op, sessionId }, 'nats control: a forwarded request failed');
      reply = failure(500, 'internal_error', (error as Error).message);
    }
    this.counts.served++;
    msg.respond(JSON.stringify(reply));
  }
}
