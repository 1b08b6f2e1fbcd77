// What each participant says, frame by frame: the scenario's steps placed on the call's timeline (overlap allowed),
// the DTMF tones they press, and the transcription results their speech produces — all as pure functions of the
// frame number, so pacing, reconnects and faults never change what a frame holds.
import type { Scenario, ScenarioParticipant } from '../media-engine-contract.js';
import type { Clip, ClipLoader } from './clips.js';
import { FRAME_MS } from '../../audio/index.js';

/** A clip placed on a participant's timeline, optionally looped every `periodSamples`. */
interface Placement {
  startSample: number;
  /** Audible length: the clip's, or up to the participant's next step for an open-ended tone or silence. */
  lengthSamples: number;
  periodSamples: number | undefined;
  clip: Clip;
  events: TranscriptEventTemplate[];
}

/** A transcription result at `atMs` after the clip starts. */
interface TranscriptEventTemplate {
  atMs: number;
  resultStatus: 'Intermediate' | 'Final';
  text: string;
  /** Index of the last word included. */
  lastWord: number;
}

/** One participant of the call. */
export interface CallParticipant {
  rawId: string;
  placements: Placement[];
  /** Keys pressed: `atMs` of call time, sent with frame `frame` (the one that holds that moment). */
  dtmf: Array<{ frame: number; atMs: number; tone: string }>;
  /** Muted (ACS mutes only; there is no unmute): every frame is silence. */
  muted: boolean;
  /** Left the call (removed, or hung up): no more frames are sent for it. */
  left: boolean;
}

/** A transcription result due in a frame, with offsets in ticks from the start of streaming. */
export interface TranscriptEvent {
  participantRawID: string;
  resultStatus: 'Intermediate' | 'Final';
  text: string;
  confidence: number | undefined;
  offsetTicks: bigint;
  durationTicks: bigint;
  words: Array<{ text: string; offsetTicks: bigint; durationTicks: bigint }>;
}

/** The call's audio, as functions of the frame number (frame n covers n × 20 ms to (n + 1) × 20 ms). */
export interface CallAudio {
  readonly participants: readonly CallParticipant[];
  /** Writes participant `index`'s frame `frame` into `out` (its length is the frame size). */
  renderFrame(index: number, frame: number, out: Int16Array): void;
  /** Transcription results due in frame `frame`, in participant order. */
  transcriptEventsAt(frame: number, intermediateResults: boolean): TranscriptEvent[];
  /**
   * A participant joins from frame `fromFrame` (an answered addParticipant): it speaks `clip` after a short pause,
   * then again after each pause, as a person on the line would go on talking.
   */
  join(rawId: string, clip: Clip, fromFrame: number): CallParticipant;
}

/** Options for building a call's audio. */
export interface CallAudioOptions {
  sampleRate: number;
  /** Pause between turns of the default conversation. @default 1000 */
  pauseMs?: number;
  /** Silence before the default conversation's first turn. @default 500 */
  leadInMs?: number;
  /** Raw ID of the one speaker used when the scenario names no participant. */
  defaultRawId?: string;
}

/** Keys pressed in one DTMF step follow each other this far apart. */
export const DTMF_SPACING_MS = 250;
/** A final result comes this long after the last word, as a recognizer waits for the end of the phrase. */
export const FINAL_RESULT_DELAY_MS = 300;
/** The confidence reported on final results of bundled transcripts. */
export const FINAL_CONFIDENCE = 0.92;
const TICKS_PER_MS = 10_000;

/**
 * Builds the call's audio from a scenario. Participants without any step take turns speaking the bundled fixtures
 * (one voice each, looped with pauses), so a plain call streams real speech; no participant at all means one
 * default speaker (`defaultRawId`).
 */
export async function buildCallAudio(
  scenario: Scenario,
  loader: ClipLoader,
  options: CallAudioOptions,
): Promise<CallAudio> {
  const rate = options.sampleRate;
  const frameSamples = (rate * FRAME_MS) / 1000;
  const people: ScenarioParticipant[] =
    scenario.participants.length > 0
      ? scenario.participants
      : [{ rawId: options.defaultRawId ?? '4:+15550100001', steps: [] }];

  const participants: CallParticipant[] = [];
  const talkers: Array<{ participant: CallParticipant; clip: Clip }> = [];
  for (const person of people) {
    const participant: CallParticipant = { rawId: person.rawId, placements: [], dtmf: [], muted: false, left: false };
    participants.push(participant);
    if (person.steps.length === 0) {
      talkers.push({ participant, clip: await loader.load({ type: 'fixture' }, rate, talkers.length) });
      continue;
    }
    const steps = [...person.steps].sort((a, b) => a.atMs - b.atMs);
    for (const [index, step] of steps.entries()) {
      if (step.dtmf !== undefined) {
        for (const [i, tone] of [...step.dtmf].entries()) {
          const atMs = step.atMs + i * DTMF_SPACING_MS;
          participant.dtmf.push({ frame: Math.floor(atMs / FRAME_MS), atMs, tone });
        }
      }
      if (step.say === undefined) continue;
      const clip = await loader.load(step.say, rate, participants.length - 1);
      const next = steps.slice(index + 1).find((later) => later.say !== undefined);
      const untilNext = next === undefined ? Infinity : msToSamples(next.atMs - step.atMs, rate);
      participant.placements.push({
        startSample: msToSamples(step.atMs, rate),
        lengthSamples: Number.isFinite(clip.lengthSamples) ? clip.lengthSamples : untilNext,
        periodSamples: undefined,
        clip,
        events: transcriptTemplates(clip),
      });
    }
    participant.dtmf.sort((a, b) => a.frame - b.frame);
  }
  placeConversation(talkers, rate, options.pauseMs ?? 1000, options.leadInMs ?? 500);

  const accumulator = new Int32Array(frameSamples);
  return {
    participants,
    renderFrame(index, frame, out) {
      const participant = participants[index];
      if (participant.muted || participant.left) out.fill(0);
      else renderInto(participant, frame * out.length, out, accumulator, rate);
    },
    join(rawId, clip, fromFrame) {
      const participant: CallParticipant = { rawId, placements: [], dtmf: [], muted: false, left: false };
      const pause = msToSamples(options.pauseMs ?? 1000, rate);
      participant.placements.push({
        startSample: fromFrame * frameSamples + msToSamples(options.leadInMs ?? 500, rate),
        lengthSamples: clip.lengthSamples,
        periodSamples: Number.isFinite(clip.lengthSamples) ? clip.lengthSamples + pause : undefined,
        clip,
        events: transcriptTemplates(clip),
      });
      participants.push(participant);
      return participant;
    },
    transcriptEventsAt(frame, intermediateResults) {
      const events: TranscriptEvent[] = [];
      const fromMs = frame * FRAME_MS;
      for (const participant of participants) {
        if (participant.muted || participant.left) continue;
        for (const placement of participant.placements) {
          if (placement.events.length === 0) continue;
          collectEvents(participant.rawId, placement, fromMs, rate, intermediateResults, events);
        }
      }
      return events;
    },
  };
}

/** Participants without steps take turns: each speaks its clip, a pause, then the next; the round repeats. */
function placeConversation(
  talkers: Array<{ participant: CallParticipant; clip: Clip }>,
  rate: number,
  pauseMs: number,
  leadInMs: number,
): void {
  const pause = msToSamples(pauseMs, rate);
  const period = talkers.reduce((sum, { clip }) => sum + clip.lengthSamples + pause, 0);
  let start = msToSamples(leadInMs, rate);
  for (const { participant, clip } of talkers) {
    participant.placements.push({
      startSample: start,
      lengthSamples: clip.lengthSamples,
      periodSamples: period,
      clip,
      events: transcriptTemplates(clip),
    });
    start += clip.lengthSamples + pause;
  }
}

function renderInto(
  participant: CallParticipant,
  from: number,
  out: Int16Array,
  accumulator: Int32Array,
  rate: number,
): void {
  const size = out.length;
  accumulator.fill(0);
  for (const placement of participant.placements) {
    const { startSample, lengthSamples, periodSamples, clip } = placement;
    if (startSample >= from + size) continue;
    if (periodSamples === undefined && startSample + lengthSamples <= from) continue;
    for (let i = 0; i < size; i++) {
      let local = from + i - startSample;
      if (local < 0) continue;
      if (periodSamples !== undefined) local %= periodSamples;
      if (local >= lengthSamples) continue;
      if (clip.samples !== undefined) accumulator[i] += clip.samples[local];
      else if (clip.tone !== undefined) {
        const { frequencyHz, amplitude } = clip.tone;
        accumulator[i] += Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * frequencyHz * local) / rate));
      }
    }
  }
  for (let i = 0; i < size; i++) {
    const value = accumulator[i];
    out[i] = value > 32767 ? 32767 : value < -32768 ? -32768 : value;
  }
}

/** Intermediate results as each word ends (all but the last), then the final one shortly after the last word. */
function transcriptTemplates(clip: Clip): TranscriptEventTemplate[] {
  const words = clip.transcript?.words ?? [];
  if (clip.transcript === undefined || words.length === 0) return [];
  const events: TranscriptEventTemplate[] = [];
  words.forEach((word, index) => {
    const endMs = (word.offsetTicks + word.durationTicks) / TICKS_PER_MS;
    if (index < words.length - 1) {
      const text = words
        .slice(0, index + 1)
        .map((w) => w.text)
        .join(' ');
      events.push({ atMs: endMs, resultStatus: 'Intermediate', text, lastWord: index });
    } else {
      events.push({ atMs: endMs + FINAL_RESULT_DELAY_MS, resultStatus: 'Final', text: clip.transcript!.text, lastWord: index });
    }
  });
  return events;
}

/** Adds the placement's results that fall in [fromMs, fromMs + 20) of call time. */
function collectEvents(
  rawId: string,
  placement: Placement,
  fromMs: number,
  rate: number,
  intermediateResults: boolean,
  into: TranscriptEvent[],
): void {
  const startMs = (placement.startSample * 1000) / rate;
  const periodMs = placement.periodSamples === undefined ? undefined : (placement.periodSamples * 1000) / rate;
  const words = placement.clip.transcript!.words;
  for (const template of placement.events) {
    if (template.resultStatus === 'Intermediate' && !intermediateResults) continue;
    let instanceMs = startMs;
    if (periodMs !== undefined) {
      instanceMs += Math.max(0, Math.ceil((fromMs - startMs - template.atMs) / periodMs)) * periodMs;
    }
    const at = instanceMs + template.atMs;
    if (at < fromMs || at >= fromMs + FRAME_MS) continue;
    const base = BigInt(Math.round(instanceMs * TICKS_PER_MS));
    const spoken = words.slice(0, template.lastWord + 1).map((word) => ({
      text: word.text,
      offsetTicks: base + BigInt(word.offsetTicks),
      durationTicks: BigInt(word.durationTicks),
    }));
    const first = spoken[0];
    const last = spoken[spoken.length - 1];
    into.push({
      participantRawID: rawId,
      resultStatus: template.resultStatus,
      text: template.text,
      confidence: template.resultStatus === 'Final' ? FINAL_CONFIDENCE : undefined,
      offsetTicks: first.offsetTicks,
      durationTicks: last.offsetTicks + last.durationTicks - first.offsetTicks,
      words: spoken,
    });
  }
}

function msToSamples(ms: number, rate: number): number {
  return Math.round((ms * rate) / 1000);
}

