// session.addTranscript: a transcript line the app adds (a voice agent's caller and agent transcripts), checked and
// put on the session timeline. It goes to transcript.jsonl and out as the session's 'utterance' event, which the live
// feed (transcript pane) and the NATS publisher (the transcript subject) follow like ACS's TranscriptionData.
import type { UtteranceEvent } from './contract.js';
import { MediaError, MediaErrorCode } from './media-error.js';

/** Longest speaker name and text kept (a model's transcript of one turn fits; a runaway one is cut). */
const MAX_SPEAKER = 200;
const MAX_TEXT = 20_000;

/** The utterance for `entry`; `nowTimelineMs` is the default position (0 before the first inbound frame). */
export function toUtterance(entry: { speaker: string; text: string; timelineMs?: number }, nowTimelineMs: number | undefined): UtteranceEvent {
  const { speaker, text, timelineMs } = entry ?? ({} as typeof entry);
  if (typeof speaker !== 'string' || speaker.length === 0) {
    throw new MediaError(MediaErrorCode.BadTranscript, 'addTranscript: speaker must be a non-empty string (e.g. "agent" or "caller")');
  }
  if (typeof text !== 'string') throw new MediaError(MediaErrorCode.BadTranscript, `addTranscript: text must be a string (speaker ${speaker})`);
  if (timelineMs !== undefined && !(typeof timelineMs === 'number' && Number.isFinite(timelineMs) && timelineMs >= 0)) {
    throw new MediaError(MediaErrorCode.BadTranscript, `addTranscript: timelineMs ${String(timelineMs)} must be a number of ms ≥ 0 on the session timeline, or left out for now`);
  }
  return {
    speaker: speaker.slice(0, MAX_SPEAKER),
    text: text.slice(0, MAX_TEXT),
    timelineMs: Math.round(timelineMs ?? Math.max(0, nowTimelineMs ?? 0)),
  };
}
