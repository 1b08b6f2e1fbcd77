// The JSON bodies published on a session's events, transcript and dtmf subjects (docs/scale-out.md §Messages).
// Audio frames have no JSON body: raw PCM16LE, described by headers (subjects.ts NatsHeader).
import type { DtmfDataPacket, TranscriptionDataPacket } from '../protocol/index.js';
import type { SessionState, SessionSummary } from '../media/index.js';

/** A lifecycle event on `acs.<session>.events`; `summary` is the session's summary at that moment. */
export type SessionEventMessage =
  | { type: 'session.started'; sessionId: string; node: string; time: string; summary: SessionSummary }
  | { type: 'session.state'; sessionId: string; node: string; time: string; state: SessionState }
  | { type: 'session.participant'; sessionId: string; node: string; time: string; trackId: string; participantRawId: string | undefined }
  | { type: 'session.callEvent'; sessionId: string; node: string; time: string; callEvent: { type: string; callConnectionId?: string; data: unknown } }
  | { type: 'session.ended'; sessionId: string; node: string; time: string; summary: SessionSummary };

/** A transcription result on `acs.<session>.transcript`; ticks (100 ns) as decimal strings, lossless. */
export interface TranscriptMessage {
  sessionId: string;
  node: string;
  receivedAt: string;
  resultStatus: string;
  text: string;
  format: string;
  confidence: number | undefined;
  offsetTicks: string;
  durationTicks: string | undefined;
  participantRawId: string | undefined;
  words: Array<{ text: string; offsetTicks: string; durationTicks: string | undefined }>;
  /** Lines the app added (session.addTranscript, e.g. a voice agent's 'caller' and 'agent'): who spoke. Absent on
   *  ACS's own transcription, which names the speaker by participantRawId. */
  speaker?: string;
  /** Lines the app added: their session timeline ms (offsetTicks is the same position in ticks). */
  timelineMs?: number;
}

/** A DTMF tone on `acs.<session>.dtmf`. */
export interface DtmfMessage {
  sessionId: string;
  node: string;
  receivedAt: string;
  tone: string;
  data: string;
  timestamp: string | undefined;
  participantRawId: string | undefined;
}

/** The transcript message for a packet. */
export function toTranscriptMessage(sessionId: string, node: string, packet: TranscriptionDataPacket, now: number): TranscriptMessage {
  return {
    sessionId,
    node,
    receivedAt: new Date(now).toISOString(),
    resultStatus: packet.resultStatus,
    text: packet.text,
    format: packet.format,
    confidence: packet.confidence,
    offsetTicks: packet.offsetTicks.toString(),
    durationTicks: packet.durationTicks?.toString(),
    participantRawId: packet.participantRawID,
    words: packet.words.map((w) => ({ text: w.text, offsetTicks: w.offsetTicks.toString(), durationTicks: w.durationTicks?.toString() })),
  };
}

/** The DTMF message for a packet. */
export function toDtmfMessage(sessionId: string, node: string, packet: DtmfDataPacket, now: number): DtmfMessage {
  return {
    sessionId,
    node,
    receivedAt: new Date(now).toISOString(),
    tone: packet.tone,
    data: packet.data,
    timestamp: packet.timestamp,
    participantRawId: packet.participantRawID,
  };
}
