// Publishes each session's frames, events, transcripts and DTMF to JetStream, off the frame path: a session event
// only appends to a bounded queue (full → dropped and counted); a pump publishes from it with a bounded number of
// messages unconfirmed, pausing while the connection is down. NATS trouble never reaches ingest.
// Audio frames go out as plain publishes on the stream's subjects (JetStream stores them; Nats-Msg-Id de-duplicates)
// confirmed in batches by one round trip (flush): a JetStream ack per frame cost ~10× the CPU (bench/README.md).
// Events, transcripts and DTMF, a few per second, get a JetStream ack each.
import { headers as natsHeaders, type JetStreamClient, type MsgHdrs, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { AudioFrame, MediaSession, SessionState, SessionSummary, UtteranceEvent } from '../media/index.js';
import type { DtmfDataPacket, TranscriptionDataPacket } from '../protocol/index.js';
import { toDtmfMessage, toTranscriptMessage, type SessionEventMessage, type TranscriptMessage } from './messages.js';
import { formatHeader, NatsHeader, type Subjects } from './subjects.js';

/** What a published message is, for counting. */
export type PublishKind = 'audio' | 'event' | 'transcript' | 'dtmf';
const KINDS: readonly PublishKind[] = ['audio', 'event', 'transcript', 'dtmf'];

/** Plain counters per kind: queued = published + dropped (+ still queued); published = acked + errors (+ in flight). */
export interface PublishCounts {
  queued: number;
  published: number;
  acked: number;
  dropped: number;
  errors: number;
}

/** The publisher's counters, read at scrape time. */
export interface PublisherStats {
  byKind: Record<PublishKind, PublishCounts>;
  queueLength: number;
  inFlight: number;
  /** False while the NATS connection is down (the pump waits; the queue fills, then drops). */
  connected: boolean;
}

/** What the publisher needs. */
export interface NatsPublisherOptions {
  js: JetStreamClient;
  /** The connection `js` uses: audio frames are published on it directly. */
  nc: NatsConnection;
  subjects: Subjects;
  nodeId: string;
  publishAudio: boolean;
  maxQueue: number;
  maxInFlight: number;
  logger: Logger;
  now?: () => number;
}

/** One queued message. Audio headers are built by the pump, not on the frame path. */
interface Pending {
  kind: PublishKind;
  subject: string;
  payload: Uint8Array;
  sessionId: string;
  frame?: { trackId: string; participantRawId: string | undefined; timestampMs: number; timelineMs: number; seq: number; sampleRate: number; silent: boolean; filled: boolean };
}

/** Publishes sessions to JetStream; see the module comment. */
export class NatsPublisher {
  private readonly queue: Array<Pending | undefined>;
  private head = 0;
  private length = 0;
  private inFlight = 0;
  /** Audio frames published since the last confirmation round trip. */
  private unconfirmedAudio = 0;
  private scheduled = false;
  private closed = false;
  private connectedNow = true;
  private readonly counts: Record<PublishKind, PublishCounts>;
  private readonly idleWaiters: Array<() => void> = [];
  private readonly encoder = new TextEncoder();
  private readonly now: () => number;
  private lastErrorLogAt = 0;

  constructor(private readonly options: NatsPublisherOptions) {
    this.queue = new Array<Pending | undefined>(options.maxQueue).fill(undefined);
    this.counts = Object.fromEntries(KINDS.map((k) => [k, { queued: 0, published: 0, acked: 0, dropped: 0, errors: 0 }])) as Record<PublishKind, PublishCounts>;
    this.now = options.now ?? Date.now;
  }

  stats(): PublisherStats {
    return { byKind: this.counts, queueLength: this.length, inFlight: this.inFlight, connected: this.connectedNow };
  }

  /** The connection went down (pause) or came back (resume). */
  setConnected(connected: boolean): void {
    this.connectedNow = connected;
    if (connected) this.schedule();
  }

  /** Publish everything `session` does from now until it ends. */
  attach(session: MediaSession): void {
    const sessionId = session.id;
    const node = this.options.nodeId;
    const subjects = this.options.subjects;
    const eventsSubject = subjects.events(sessionId);
    const audioSubjects = new Map<string, string>();
    const sequences = new Map<string, number>();
    const event = (message: SessionEventMessage) => this.enqueueJson('event', eventsSubject, sessionId, message);
    const time = () => new Date(this.now()).toISOString();

    const onAudio = (frame: AudioFrame): void => {
      let subject = audioSubjects.get(frame.trackId);
      if (subject === undefined) {
        subject = subjects.audio(sessionId, frame.trackId);
        audioSubjects.set(frame.trackId, subject);
      }
      const seq = sequences.get(frame.trackId) ?? 0;
      sequences.set(frame.trackId, seq + 1);
      const s = frame.samples;
      // The frame's samples are reused after this call (contract.ts AudioFrame): one copy, the only allocation.
      const payload = Buffer.from(new Uint8Array(s.buffer, s.byteOffset, s.byteLength));
      this.enqueue({
        kind: 'audio',
        subject,
        payload,
        sessionId,
        frame: {
          trackId: frame.trackId,
          participantRawId: frame.participantRawId,
          timestampMs: frame.timestampMs,
          timelineMs: frame.timelineMs,
          seq,
          sampleRate: frame.sampleRate,
          silent: frame.silent,
          filled: frame.filled,
        },
      });
    };
    const onState = (state: SessionState) => event({ type: 'session.state', sessionId, node, time: time(), state });
    const onParticipant = (p: { trackId: string; participantRawId: string | undefined }) =>
      event({ type: 'session.participant', sessionId, node, time: time(), trackId: p.trackId, participantRawId: p.participantRawId });
    const onTranscript = (packet: TranscriptionDataPacket) =>
      this.enqueueJson('transcript', subjects.transcript(sessionId), sessionId, toTranscriptMessage(sessionId, node, packet, this.now()));
    const onUtterance = (u: UtteranceEvent) =>
      this.enqueueJson('transcript', subjects.transcript(sessionId), sessionId, toUtteranceMessage(sessionId, node, u, this.now()));
    const onDtmf = (packet: DtmfDataPacket) => this.enqueueJson('dtmf', subjects.dtmf(sessionId), sessionId, toDtmfMessage(sessionId, node, packet, this.now()));
    const onCallEvent = (e: { type: string; callConnectionId?: string; data: unknown }) =>
      event({ type: 'session.callEvent', sessionId, node, time: time(), callEvent: { type: e.type, callConnectionId: e.callConnectionId, data: e.data } });
    const onEnd = (summary: SessionSummary) => {
      event({ type: 'session.ended', sessionId, node, time: time(), summary });
      session.off('audio', onAudio).off('state', onState).off('participant', onParticipant);
      session.off('transcript', onTranscript).off('utterance', onUtterance).off('dtmf', onDtmf).off('callEvent', onCallEvent);
    };

    event({ type: 'session.started', sessionId, node, time: time(), summary: session.summary() });
    if (this.options.publishAudio) session.on('audio', onAudio);
    session.on('state', onState).on('participant', onParticipant).on('transcript', onTranscript).on('utterance', onUtterance).on('dtmf', onDtmf).on('callEvent', onCallEvent);
    session.once('end', onEnd);
  }

  /** Resolves when the queue is empty and every publish has its ack (or error), or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.length === 0 && this.inFlight === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  /** Stop publishing; what is still queued is counted as dropped. */
  close(): void {
    this.closed = true;
    while (this.length > 0) this.counts[this.shift().kind].dropped++;
    this.wakeIdle();
  }

  private enqueueJson(kind: PublishKind, subject: string, sessionId: string, body: unknown): void {
    this.enqueue({ kind, subject, sessionId, payload: this.encoder.encode(JSON.stringify(body)) });
  }

  private enqueue(item: Pending): void {
    const counts = this.counts[item.kind];
    counts.queued++;
    if (this.closed || this.length === this.queue.length) {
      counts.dropped++;
      return;
    }
    this.queue[(this.head + this.length) % this.queue.length] = item;
    this.length++;
    this.schedule();
  }

  private shift(): Pending {
    const item = this.queue[this.head] as Pending;
    this.queue[this.head] = undefined;
    this.head = (this.head + 1) % this.queue.length;
    this.length--;
    return item;
  }

  private schedule(): void {
    if (this.scheduled || this.closed || !this.connectedNow || this.length === 0 || this.inFlight >= this.options.maxInFlight) return;
    this.scheduled = true;
    setImmediate(this.pump);
  }

  /** Publishes in queue order (NATS keeps one connection's order) while acks outstanding stay under maxInFlight. */
  private readonly pump = (): void => {
    this.scheduled = false;
    while (!this.closed && this.connectedNow && this.length > 0 && this.inFlight < this.options.maxInFlight) {
      const item = this.shift();
      const counts = this.counts[item.kind];
      counts.published++;
      this.inFlight++;
      if (item.kind === 'audio') {
        try {
          this.options.nc.publish(item.subject, item.payload, { headers: this.headersOf(item) });
          this.unconfirmedAudio++;
        } catch (error) {
          counts.errors++;
          this.inFlight--;
          this.logError(error, item);
        }
        continue;
      }
      this.options.js
        .publish(item.subject, item.payload, { headers: this.headersOf(item) })
        .then(
          () => void counts.acked++,
          (error: unknown) => {
            counts.errors++;
            this.logError(error, item);
          },
        )
        .finally(() => this.settled(1));
    }
    if (this.unconfirmedAudio > 0) this.confirmAudio();
  };

  /** One round trip confirms every audio frame published before it: the server has them, in order. */
  private confirmAudio(): void {
    const batch = this.unconfirmedAudio;
    this.unconfirmedAudio = 0;
    const counts = this.counts.audio;
    this.options.nc.flush().then(
      () => void (counts.acked += batch),
      (error: unknown) => {
        counts.errors += batch;
        this.options.logger.warn({ err: error, frames: batch }, 'nats: audio frames were not confirmed (counted; ingest goes on)');
      },
    ).finally(() => this.settled(batch));
  }

  private settled(count: number): void {
    this.inFlight -= count;
    this.schedule();
    if (this.length === 0 && this.inFlight === 0) this.wakeIdle();
  }

  private headersOf(item: Pending): MsgHdrs {
    const h = natsHeaders();
    h.set(NatsHeader.Session, item.sessionId);
    h.set(NatsHeader.Node, this.options.nodeId);
    const f = item.frame;
    if (f !== undefined) {
      h.set(NatsHeader.Track, f.trackId);
      if (f.participantRawId !== undefined) h.set(NatsHeader.Participant, f.participantRawId);
      h.set(NatsHeader.Timestamp, String(f.timestampMs));
      h.set(NatsHeader.TimelineMs, String(f.timelineMs));
      h.set(NatsHeader.Sequence, String(f.seq));
      h.set(NatsHeader.Format, formatHeader(f.sampleRate));
      h.set(NatsHeader.Silent, f.silent ? 'true' : 'false');
      h.set(NatsHeader.Filled, f.filled ? 'true' : 'false');
      // What js.publish's msgID option sets: JetStream stores a frame retried after a reconnect once.
      h.set('Nats-Msg-Id', `${item.sessionId}/${f.trackId}/${f.seq}`);
    }
    return h;
  }

  private logError(error: unknown, item: Pending): void {
    const now = this.now();
    if (now - this.lastErrorLogAt < 5000) return; // one line per 5 s during an outage; the metric counts them all
    this.lastErrorLogAt = now;
    this.options.logger.warn({ err: error, subject: item.subject, counts: this.counts }, 'nats: a JetStream publish failed (counted; ingest goes on)');
  }

  private wakeIdle(): void {
    for (const wake of this.idleWaiters.splice(0)) wake();
  }
}

/** A line the app added (session.addTranscript) on the transcript subject: a final TranscriptMessage, so subscribers
 *  read it like ACS's, plus who spoke and where on the session timeline (offsetTicks is the same position). */
export function toUtteranceMessage(sessionId: string, node: string, u: UtteranceEvent, now: number): TranscriptMessage & { speaker: string; timelineMs: number } {
  return {
    sessionId,
    node,
    receivedAt: new Date(now).toISOString(),
    resultStatus: 'Final',
    text: u.text,
    format: 'display',
    confidence: undefined,
    offsetTicks: String(u.timelineMs * 10000),
    durationTicks: undefined,
    participantRawId: undefined,
    words: [],
    speaker: u.speaker,
    timelineMs: u.timelineMs,
  };
}
