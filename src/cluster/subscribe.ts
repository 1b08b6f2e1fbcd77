// subscribe(): consume what media server nodes publish to JetStream, on any machine — typed frames (Int16Array),
// lifecycle events, transcripts and DTMF, in stream order. With a durable name it resumes after the last message it
// acknowledged, even after a crash: the durable consumer is re-created from its ack floor when messages were
// handed out but not acknowledged (docs/scale-out.md §Consuming).
import { randomBytes } from 'node:crypto';
import {
  AckPolicy,
  connect,
  DeliverPolicy,
  nanos,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
} from 'nats';
import type { DtmfMessage, SessionEventMessage, TranscriptMessage } from './messages.js';
import { withDefaults } from '../errors/index.js';
import { NATS_DEFAULTS } from './nats-options.js';
import { createSubjects, NatsHeader, parseFormatHeader, parseSubject } from './subjects.js';
import { ClusterError, ClusterErrorCode } from './cluster-error.js';

/** Options for {@link subscribe}. */
export interface SubscribeOptions {
  /** NATS URL(s), comma-separated, or a connection you own (left open by close()). */
  nats: string | NatsConnection;
  /** Only this session. @default every session */
  sessionId?: string;
  /** Only frames of these track ids (events, transcripts, DTMF still come). @default every track */
  tracks?: string[];
  /** Frames too; false skips them (they are still read from the stream). @default true */
  audio?: boolean;
  /** Durable consumer name: a later subscribe with the same name resumes after the last acknowledged message.
   *  One subscriber per name at a time. @default none: an ephemeral consumer */
  durable?: string;
  /** Where a new consumer starts: every stored message, or only messages published from now on. @default 'start' */
  from?: 'start' | 'new';
  /** Durable only. 'auto' acknowledges a message once the next one is asked for (and at close); 'manual' leaves it
   *  to `ack(message)`, e.g. after the data is safely on disk. @default 'auto' */
  ack?: 'auto' | 'manual';
  /** With sessionId: finish the iteration after that session's `session.ended` event. @default false */
  untilEnded?: boolean;
  /** Finish the iteration after this long without a message. @default never */
  idleMs?: number;
  /** @default 'acs' */
  subjectPrefix?: string;
  /** @default 'ACS_AUDIO' */
  streamName?: string;
}

/** Every default of subscribe() with a value (the TSDoc `@default` of each field says the same; a test checks). */
export const SUBSCRIBE_DEFAULTS = {
  audio: true,
  from: 'start',
  ack: 'auto',
  untilEnded: false,
  subjectPrefix: NATS_DEFAULTS.subjectPrefix,
  streamName: NATS_DEFAULTS.streamName,
} as const satisfies Partial<SubscribeOptions>;

type ResolvedSubscribeOptions = SubscribeOptions & { -readonly [K in keyof typeof SUBSCRIBE_DEFAULTS]-?: NonNullable<SubscribeOptions[K]> };

interface Common {
  sessionId: string;
  /** The node that published it. */
  node: string;
  /** Position in the JetStream stream. */
  streamSequence: number;
}

/** 20 ms of one track's audio. `sequence` counts the track's frames from 0; a jump means frames were lost. */
export interface SubscribedFrame extends Common {
  kind: 'frame';
  trackId: string;
  participantRawId: string | undefined;
  sequence: number;
  timestampMs: number;
  timelineMs: number;
  sampleRate: number;
  silent: boolean;
  filled: boolean;
  samples: Int16Array;
}
export interface SubscribedEvent extends Common {
  kind: 'event';
  event: SessionEventMessage;
}
export interface SubscribedTranscript extends Common {
  kind: 'transcript';
  transcript: TranscriptMessage;
}
export interface SubscribedDtmf extends Common {
  kind: 'dtmf';
  dtmf: DtmfMessage;
}
/** Everything a subscription yields; `switch (message.kind)` over it is exhaustive. */
export type SubscribedMessage = SubscribedFrame | SubscribedEvent | SubscribedTranscript | SubscribedDtmf;

/** A running subscription: iterate it once; close() when done. */
export interface NatsSubscription extends AsyncIterable<SubscribedMessage> {
  /** Durable: acknowledge this message and every one before it. */
  ack(message: SubscribedMessage): void;
  /** Stop: acknowledges what auto-ack owes, flushes acks to the server, disconnects a connection it opened. */
  close(): Promise<void>;
  /** The durable name, or the generated name of the ephemeral consumer. */
  readonly consumerName: string;
}

/** Subscribes to what media server nodes publish; resolves once the consumer exists. */
export async function subscribe(given: SubscribeOptions): Promise<NatsSubscription> {
  const options: ResolvedSubscribeOptions = withDefaults(SUBSCRIBE_DEFAULTS, given);
  const stream = options.streamName;
  const subjects = createSubjects(options.subjectPrefix);
  const ownsConnection = typeof options.nats === 'string';
  const nc =
    typeof options.nats === 'string'
      ? await connect({ servers: options.nats.split(',').map((s) => s.trim()), name: 'acs-audio subscribe' }).catch((error: Error) => {
          throw new ClusterError(ClusterErrorCode.ConnectFailed, `subscribe: could not connect to NATS at ${options.nats as string} (${error.message}); check the URL and that nats-server runs.`, { cause: error });
        })
      : options.nats;
  try {
    const filter = options.sessionId === undefined ? undefined : subjects.session(options.sessionId);
    const js = nc.jetstream();
    const jsm = await nc.jetstreamManager();
    await jsm.streams.info(stream).catch((error: Error) => {
      throw new ClusterError(ClusterErrorCode.NoStream, `subscribe: no stream "${stream}" on ${nc.getServer()} (${error.message}); has a media server with --nats run against this NATS server yet?`, { cause: error });
    });
    const durable = options.durable ?? (await createEphemeral(jsm, stream, filter, options.from));
    const consumer = await js.consumers.get(stream, options.durable === undefined ? durable : await prepareDurable(jsm, stream, durable, filter, options.from));
    const messages = await consumer.consume({ max_messages: 512 });
    return new Subscription({ nc, ownsConnection, messages, options, consumerName: durable });
  } catch (error) {
    if (ownsConnection) await nc.close();
    throw error;
  }
}

/**
 * A consumer for one subscriber without a durable name: no acks, removed by the server a minute after it is left.
 * (The client's ordered consumer would do, but nats-server 2.9 refuses how it creates filtered consumers, and the
 * client then retries for ever.)
 */
async function createEphemeral(jsm: JetStreamManager, stream: string, filter: string | undefined, from: 'start' | 'new'): Promise<string> {
  const name = `subscribe-${randomBytes(6).toString('hex')}`;
  await jsm.consumers.add(stream, {
    durable_name: name,
    ack_policy: AckPolicy.None,
    inactive_threshold: nanos(60_000),
    deliver_policy: from === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
    ...(filter ? { filter_subject: filter } : {}),
  });
  return name;
}

/** Creates the durable, or re-creates it from its ack floor when messages were handed out but not acknowledged. */
async function prepareDurable(jsm: JetStreamManager, stream: string, durable: string, filter: string | undefined, from: 'start' | 'new'): Promise<string> {
  if (!/^[A-Za-z0-9_-]+$/.test(durable)) throw new ClusterError(ClusterErrorCode.BadOptions, `subscribe: durable name "${durable}" may hold letters, digits, _ and - only.`);
  const existing = await jsm.consumers.info(stream, durable).catch(() => undefined);
  const base: Partial<ConsumerConfig> = {
    durable_name: durable,
    ack_policy: AckPolicy.All,
    max_ack_pending: 50_000,
    ack_wait: nanos(60_000),
    ...(filter ? { filter_subject: filter } : {}),
  };
  if (existing !== undefined) {
    if ((existing.config.filter_subject || undefined) !== filter) {
      throw new ClusterError(
        ClusterErrorCode.DurableInUse,
        `subscribe: durable "${durable}" follows ${existing.config.filter_subject || 'every session'}, not ${filter ?? 'every session'}; use another durable name, or the same session as before.`,
      );
    }
    if (existing.num_ack_pending === 0 && existing.num_redelivered === 0) return durable;
    const floor = existing.ack_floor.stream_seq;
    const start = floor > 0 ? floor + 1 : (existing.config.opt_start_seq ?? 1);
    await jsm.consumers.delete(stream, durable);
    await jsm.consumers.add(stream, { ...base, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start });
    return durable;
  }
  if (from === 'new') {
    const last = (await jsm.streams.info(stream)).state.last_seq;
    await jsm.consumers.add(stream, { ...base, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: last + 1 });
  } else {
    await jsm.consumers.add(stream, { ...base, deliver_policy: DeliverPolicy.All });
  }
  return durable;
}

/** Turns a stored message into a typed one; undefined for subjects that are not ours. */
export function decodeMessage(prefix: string, msg: JsMsg): SubscribedMessage | undefined {
  const where = parseSubject(prefix, msg.subject);
  if (where === undefined) return undefined;
  const h = msg.headers;
  const common = { sessionId: h?.get(NatsHeader.Session) || where.sessionId, node: h?.get(NatsHeader.Node) ?? '', streamSequence: msg.seq };
  switch (where.kind) {
    case 'audio': {
      const samples = new Int16Array(msg.data.byteLength >> 1);
      new Uint8Array(samples.buffer).set(msg.data.subarray(0, samples.byteLength));
      return {
        ...common,
        kind: 'frame',
        trackId: h?.get(NatsHeader.Track) || (where.trackId as string),
        participantRawId: h?.get(NatsHeader.Participant) || undefined,
        sequence: Number(h?.get(NatsHeader.Sequence)),
        timestampMs: Number(h?.get(NatsHeader.Timestamp)),
        timelineMs: Number(h?.get(NatsHeader.TimelineMs)),
        sampleRate: parseFormatHeader(h?.get(NatsHeader.Format) ?? '') ?? 16000,
        silent: h?.get(NatsHeader.Silent) === 'true',
        filled: h?.get(NatsHeader.Filled) === 'true',
        samples,
      };
    }
    case 'events':
      return { ...common, kind: 'event', event: msg.json<SessionEventMessage>() };
    case 'transcript':
      return { ...common, kind: 'transcript', transcript: msg.json<TranscriptMessage>() };
    case 'dtmf':
      return { ...common, kind: 'dtmf', dtmf: msg.json<DtmfMessage>() };
  }
}

/** Auto-ack sends an ack at most this often (AckAll covers the ones in between). */
const AUTO_ACK_EVERY = 64;

/** What a Subscription is made of. */
interface SubscriptionParts {
  nc: NatsConnection;
  /** The connection was opened by subscribe(), so close() drains it. */
  ownsConnection: boolean;
  messages: ConsumerMessages;
  options: ResolvedSubscribeOptions;
  consumerName: string;
}

class Subscription implements NatsSubscription {
  readonly consumerName: string;
  private readonly nc: NatsConnection;
  private readonly ownsConnection: boolean;
  private readonly messages: ConsumerMessages;
  private readonly options: ResolvedSubscribeOptions;
  private readonly raw = new Map<number, JsMsg>();
  private owed: JsMsg | undefined;
  private owedCount = 0;
  private closing: Promise<void> | undefined;
  private readonly trackFilter: Set<string> | undefined;

  constructor(parts: SubscriptionParts) {
    ({ nc: this.nc, ownsConnection: this.ownsConnection, messages: this.messages, options: this.options, consumerName: this.consumerName } = parts);
    this.trackFilter = this.options.tracks === undefined ? undefined : new Set(this.options.tracks);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SubscribedMessage> {
    const iterator = this.messages[Symbol.asyncIterator]();
    const durable = this.options.durable !== undefined;
    const auto = durable && this.options.ack === 'auto';
    try {
      for (;;) {
        const next = await this.nextWithin(iterator);
        if (next === undefined) return;
        const message = decodeMessage(this.options.subjectPrefix, next);
        if (auto) this.owe(next);
        if (message === undefined || !this.wanted(message)) continue;
        if (durable && !auto) this.raw.set(message.streamSequence, next);
        yield message;
        if (this.options.untilEnded && message.kind === 'event' && message.event.type === 'session.ended' && message.sessionId === this.options.sessionId) return;
      }
    } finally {
      await this.close();
    }
  }

  ack(message: SubscribedMessage): void {
    const raw = this.raw.get(message.streamSequence);
    if (raw === undefined || this.closing) return;
    raw.ack();
    for (const seq of this.raw.keys()) if (seq <= message.streamSequence) this.raw.delete(seq);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.owed?.ack();
      await this.nc.flush().catch(() => undefined);
      this.messages.stop();
      if (this.ownsConnection) await this.nc.drain().catch(() => this.nc.close());
    })();
    return this.closing;
  }

  private wanted(message: SubscribedMessage): boolean {
    if (message.kind !== 'frame') return true;
    if (!this.options.audio) return false;
    return this.trackFilter === undefined || this.trackFilter.has(message.trackId);
  }

  /** Auto-ack: everything up to the message before the one being handed out is done. */
  private owe(msg: JsMsg): void {
    const previous = this.owed;
    this.owed = msg;
    if (previous !== undefined && ++this.owedCount >= AUTO_ACK_EVERY) {
      previous.ack();
      this.owedCount = 0;
    }
  }

  private async nextWithin(iterator: AsyncIterator<JsMsg>): Promise<JsMsg | undefined> {
    if (this.closing) return undefined;
    const idleMs = this.options.idleMs;
    if (idleMs === undefined) {
      const r = await iterator.next();
      return r.done ? undefined : r.value;
    }
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<'idle'>((resolve) => (timer = setTimeout(() => resolve('idle'), idleMs)));
    const r = await Promise.race([iterator.next(), idle]);
    clearTimeout(timer);
    if (r === 'idle' || r.done) return undefined;
    return r.value;
  }
}
