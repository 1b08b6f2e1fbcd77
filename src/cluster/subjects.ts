// Subject names, header names and stream subjects of the NATS scale-out (docs/scale-out.md §Subjects).
// Every token that comes from a call (session id, track id, node id) is encoded so it is one valid subject token.
import { ClusterError, ClusterErrorCode } from './cluster-error.js';

/** Headers on every published message; audio frames carry all of them (docs/scale-out.md §Headers). */
export const NatsHeader = {
  Session: 'Acs-Session',
  Node: 'Acs-Node',
  Track: 'Acs-Track',
  Participant: 'Acs-Participant',
  /** The frame's wire timestamp, epoch ms. */
  Timestamp: 'Acs-Timestamp',
  /** Position on the session timeline in ms. */
  TimelineMs: 'Acs-Timeline-Ms',
  /** Per track, from 0, one per 20 ms slot (gap-filled frames included): a consumer sees a gap as a jump. */
  Sequence: 'Acs-Seq',
  /** `pcm16le;rate=16000;channels=1` */
  Format: 'Acs-Format',
  Silent: 'Acs-Silent',
  Filled: 'Acs-Filled',
  /** JetStream's de-duplication id: `<session>/<track>/<seq>` for frames. */
  MsgId: 'Nats-Msg-Id',
} as const;

/** What a subject carries (its last-but-one or last token). */
export const SubjectKind = {
  Audio: 'audio',
  Events: 'events',
  Transcript: 'transcript',
  Dtmf: 'dtmf',
} as const;
export type SubjectKind = (typeof SubjectKind)[keyof typeof SubjectKind];

/**
 * One subject token from any text: characters outside `[A-Za-z0-9_+=-]` (including `.`, `*`, `>`, spaces) become
 * `%XX` of their UTF-8 bytes, so distinct ids stay distinct and `decodeSubjectToken` gets the original back.
 */
export function encodeSubjectToken(text: string): string {
  if (text.length === 0) return '%';
  if (/^[A-Za-z0-9_+=-]+$/.test(text)) return text;
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9_+=-]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The text `encodeSubjectToken` encoded. */
export function decodeSubjectToken(token: string): string {
  if (token === '%') return '';
  return decodeURIComponent(token);
}

/** Subject names under one prefix (default `acs`). */
export interface Subjects {
  readonly prefix: string;
  audio(sessionId: string, trackId: string): string;
  events(sessionId: string): string;
  transcript(sessionId: string): string;
  dtmf(sessionId: string): string;
  /** Everything of one session (a consumer filter). */
  session(sessionId: string): string;
  /** Request/reply subject of one node's control responder (play, stop-audio): `<prefix>_control.<node>`, not stored. */
  control(nodeId: string): string;
  /** The stream's subjects: every session's audio, events, transcripts and DTMF (`<prefix>.*.>`), not control requests. */
  streamSubjects(): string[];
}

/** Subject names under `prefix`; the prefix must be one or more valid tokens (`acs`, `prod.acs`). */
export function createSubjects(prefix = 'acs'): Subjects {
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(prefix)) {
    throw new ClusterError(ClusterErrorCode.BadOptions, `NATS subject prefix "${prefix}" is not valid: use letters, digits, _ and -, tokens separated by dots (e.g. "acs").`);
  }
  const s = (sessionId: string) => `${prefix}.${encodeSubjectToken(sessionId)}`;
  return {
    prefix,
    audio: (sessionId, trackId) => `${s(sessionId)}.${SubjectKind.Audio}.${encodeSubjectToken(trackId)}`,
    events: (sessionId) => `${s(sessionId)}.${SubjectKind.Events}`,
    transcript: (sessionId) => `${s(sessionId)}.${SubjectKind.Transcript}`,
    dtmf: (sessionId) => `${s(sessionId)}.${SubjectKind.Dtmf}`,
    session: (sessionId) => `${s(sessionId)}.>`,
    // Outside `<prefix>.*.>`: a request on a stream's subject would be stored and answered by JetStream's ack.
    control: (nodeId) => `${prefix}_control.${encodeSubjectToken(nodeId)}`,
    // One wildcard, so that `<prefix>.<session>.>` is a valid consumer filter (nats-server 2.9 wants a subset).
    streamSubjects: () => [`${prefix}.*.>`],
  };
}

/** What a stored subject says: its session, kind and (for audio) track; undefined for anything else. */
export function parseSubject(prefix: string, subject: string): { sessionId: string; kind: SubjectKind; trackId?: string } | undefined {
  if (!subject.startsWith(`${prefix}.`)) return undefined;
  const tokens = subject.slice(prefix.length + 1).split('.');
  if (tokens.length === 3 && tokens[1] === SubjectKind.Audio) {
    return { sessionId: decodeSubjectToken(tokens[0]), kind: SubjectKind.Audio, trackId: decodeSubjectToken(tokens[2]) };
  }
  if (tokens.length === 2 && (tokens[1] === SubjectKind.Events || tokens[1] === SubjectKind.Transcript || tokens[1] === SubjectKind.Dtmf)) {
    return { sessionId: decodeSubjectToken(tokens[0]), kind: tokens[1] };
  }
  return undefined;
}

/** The audio format header value for PCM16 mono at `sampleRate`. */
export function formatHeader(sampleRate: number): string {
  return `pcm16le;rate=${sampleRate};channels=1`;
}

/** The sample rate in a format header, or undefined when it is not one we write. */
export function parseFormatHeader(value: string): number | undefined {
  const match = /^pcm16le;rate=(\d+);channels=1$/.exec(value);
  return match ? Number(match[1]) : undefined;
}
