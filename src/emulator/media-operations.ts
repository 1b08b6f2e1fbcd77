// Call media operations as ACS runs them (docs/protocol.md §4): :play, :recognize and :cancelAllMediaOperations. One
// media operation runs per call at a time; its outcome is posted as the callback events ACS sends (Play*, Recognize*).
// What the caller "presses or says" comes from the scenario's `replies`, else from the no-scenario defaults.
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { CallRecord } from './call-store.js';
import { buildCallEvent, RESULT_OK, type CallbackSender, type ResultInformation } from './callback-events.js';
import { listFixtures, loadFixture } from './engine/fixtures.js';
import type { ScenarioReply } from './media-engine-contract.js';
import type { PlayingPrompt } from './prompt-audio.js';
import { PromptSynth } from './prompt-synth.js';
import { AcsRestError, acsErrors } from './rest/acs-errors.js';
import { isLoopbackUrl, str } from './body-fields.js';

type Body = Record<string, unknown>;

/** What media operations need: a connected call by ID, the callback sender, the media speed. */
export interface MediaOperationsContext {
  connected(id: string): CallRecord;
  sender: CallbackSender;
  speed: number;
  /** Makes the prompts' audio (speech, files) where it can. @default a PromptSynth with espeak-ng */
  synth?: PromptSynth;
}

interface Running {
  kind: 'play' | 'recognize';
  timer: NodeJS.Timeout | undefined;
  operationContext: string | undefined;
  uri: string;
  /** What the call hears of this operation's prompt, while it plays. */
  prompt: PlayingPrompt | undefined;
}

/** DTMF characters as the REST API names them (the `Tone` enum). */
const TONES: Record<string, string> = {
  '0': 'zero', '1': 'one', '2': 'two', '3': 'three', '4': 'four', '5': 'five', '6': 'six', '7': 'seven', '8': 'eight', '9': 'nine',
  '*': 'asterisk', '#': 'pound', A: 'a', B: 'b', C: 'c', D: 'd',
};
const TONE_NAMES = new Set(Object.values(TONES));

/** "12#" → ['one', 'two', 'pound']; an unknown character is a 400 naming it. */
export function tonesOf(digits: string, field: string): string[] {
  return [...digits].map((c) => {
    const tone = TONES[c.toUpperCase()];
    if (!tone) throw acsErrors.badRequest(`${field}: "${c}" is not a DTMF tone (0-9, *, #, A-D).`);
    return tone;
  });
}

const result = (code: number, subCode: number, message: string): ResultInformation => ({ code, subCode, message });
const R = {
  maxTones: result(200, 8531, 'Action completed, max digits received.'),
  stopTone: result(200, 8514, 'Action completed as stop tone was detected.'),
  choice: result(200, 8545, 'Action completed, recognized phrase matches a valid option.'),
  speech: result(200, 8568, 'Action completed, speech recognized.'),
  initialSilence: result(400, 8510, 'Action failed, initial silence timeout reached.'),
  interTone: result(400, 8532, 'Action failed, inter-digit silence timeout reached.'),
  noChoice: result(400, 8547, 'Action failed, recognized phrase does not match a valid option.'),
  fileUnreadable: result(400, 8535, 'Action failed, file could not be read.'),
};

/** Play, recognize and cancel on the emulator's calls. */
export class MediaOperations {
  private readonly running = new Map<string, Running>();
  private readonly replyIndex = new Map<string, number>();

  private readonly synth: PromptSynth;

  constructor(private readonly ctx: MediaOperationsContext) {
    this.synth = ctx.synth ?? new PromptSynth();
  }

  /** :play. File sources must be readable; it lasts as long as its audio, or ~60 ms a character of text; `loop`
   *  plays until canceled. */
  play(id: string, body: Body): void {
    const call = this.ctx.connected(id);
    const sources = this.sources(body.playSources, 'playSources', true);
    const options = (body.playOptions ?? {}) as { loop?: unknown };
    const op = this.begin(call, 'play', body, body.interruptCallMediaOperation === true);
    void this.playable(sources).then(async (ok) => {
      if (this.running.get(id) !== op) return;
      if (!ok) return this.finish(call, op, 'PlayFailed', { resultInformation: R.fileUnreadable });
      const { ms, pcm } = await this.promptAudio(call, sources);
      if (this.running.get(id) !== op) return;
      void this.ctx.sender.post(call, buildCallEvent(call, 'PlayStarted', { operationContext: op.operationContext, resultInformation: RESULT_OK }), op.uri);
      this.hear(call, op, options.loop === true ? Infinity : ms, pcm);
      if (options.loop === true) return;
      op.timer = setTimeout(() => this.finish(call, op, 'PlayCompleted', { resultInformation: RESULT_OK }), ms);
    });
  }

  /** The prompt's audio at the call's rate and how long it plays (wall ms), or the text-length estimate and no audio. */
  private async promptAudio(call: CallRecord, sources: Body[]): Promise<{ ms: number; pcm: Int16Array | undefined }> {
    const rate = call.stream?.spec.sampleRate ?? 16000;
    const pcm = await this.synth.audio(sources, rate);
    return pcm === undefined ? { ms: this.duration(sources), pcm } : { ms: (pcm.length * 1000) / rate / this.ctx.speed, pcm };
  }

  /** :recognize — DTMF, choices, speech or speechOrDtmf, after the optional prompt. */
  recognize(id: string, body: Body): void {
    const call = this.ctx.connected(id);
    const inputType = str(body.recognizeInputType);
    if (!inputType || !['dtmf', 'choices', 'speech', 'speechOrDtmf'].includes(inputType)) {
      throw acsErrors.badRequest(`"recognizeInputType" must be dtmf, choices, speech or speechOrDtmf (got ${JSON.stringify(body.recognizeInputType)}).`);
    }
    const options = body.recognizeOptions as Body | undefined;
    if (!options || typeof options !== 'object') throw acsErrors.badRequest('The request body must have "recognizeOptions".');
    if (!options.targetParticipant) throw acsErrors.badRequest('"recognizeOptions.targetParticipant" is required.');
    const choices = Array.isArray(options.choices) ? (options.choices as Array<{ label?: string; phrases?: string[]; tone?: string }>) : [];
    if (inputType === 'choices' && (choices.length === 0 || choices.some((c) => !str(c.label) || !Array.isArray(c.phrases) || c.phrases.length === 0))) {
      throw acsErrors.badRequest('"recognizeOptions.choices" must hold choices with a "label" and at least one phrase.');
    }
    const prompts = [body.playPrompt, ...(Array.isArray(body.playPrompts) ? body.playPrompts : [])].filter((p) => p !== undefined && p !== null);
    const promptSources = prompts.length ? this.sources(prompts, 'playPrompt', false) : [];
    const op = this.begin(call, 'recognize', body, body.interruptCallMediaOperation === true);
    const reply = this.nextReply(call);
    const interrupted = options.interruptPrompt === true && Boolean(reply?.dtmf);
    void (promptSources.length > 0 && !interrupted ? this.promptAudio(call, promptSources) : Promise.resolve({ ms: 0, pcm: undefined })).then(({ ms, pcm }) => {
      if (this.running.get(id) !== op) return;
      if (ms > 0) this.hear(call, op, ms, pcm);
      op.timer = setTimeout(() => {
        void this.recognition(call, inputType, options, choices, reply).then(([name, fields]) => {
          if (this.running.get(id) === op) this.finish(call, op, name, fields);
        });
      }, ms + 300 / this.ctx.speed);
    });
  }

  /** :cancelAllMediaOperations — the running play or recognize ends with PlayCanceled / RecognizeCanceled. */
  cancelAll(id: string, body: Body): void {
    const call = this.ctx.connected(id);
    const op = this.running.get(id);
    if (!op) return;
    const override = str(body.operationCallbackUri);
    if (override) op.uri = override;
    this.finish(call, op, op.kind === 'play' ? 'PlayCanceled' : 'RecognizeCanceled', {});
  }

  /** Forgets a call's running operation (the call ended); no event, as ACS sends none after CallDisconnected. */
  forget(id: string): void {
    const op = this.running.get(id);
    if (op?.timer) clearTimeout(op.timer);
    if (op?.prompt) op.prompt.untilMs = 0;
    this.running.delete(id);
    this.replyIndex.delete(id);
  }

  /** Stops every timer (the emulator is closing). */
  close(): void {
    for (const id of [...this.running.keys()]) this.forget(id);
  }

  private begin(call: CallRecord, kind: Running['kind'], body: Body, interrupt: boolean): Running {
    const current = this.running.get(call.callConnectionId);
    if (current) {
      if (!interrupt) {
        throw new AcsRestError(400, '8500', `A ${current.kind} is already running on call ${call.callConnectionId}; cancel it (cancelAllMediaOperations) or set interruptCallMediaOperation.`);
      }
      this.finish(call, current, current.kind === 'play' ? 'PlayCanceled' : 'RecognizeCanceled', {});
    }
    const op: Running = { kind, timer: undefined, operationContext: str(body.operationContext), uri: str(body.operationCallbackUri) ?? call.callbackUri, prompt: undefined };
    this.running.set(call.callConnectionId, op);
    return op;
  }

  /** The call hears `op`'s prompt for `ms` (wall). */
  private hear(call: CallRecord, op: Running, ms: number, pcm: Int16Array | undefined): void {
    op.prompt = { untilMs: Date.now() + ms, pcm };
    call.prompt = op.prompt;
  }

  private finish(call: CallRecord, op: Running, name: string, fields: Body): void {
    if (op.timer) clearTimeout(op.timer);
    if (op.prompt && call.prompt === op.prompt) call.prompt = undefined;
    if (this.running.get(call.callConnectionId) === op) this.running.delete(call.callConnectionId);
    if (call.state !== 'connected') return;
    void this.ctx.sender.post(call, buildCallEvent(call, name, { operationContext: op.operationContext, ...fields }), op.uri);
  }

  private sources(value: unknown, field: string, required: boolean): Array<Body> {
    const list = Array.isArray(value) ? (value as Body[]) : [];
    if (required && list.length === 0) throw acsErrors.badRequest(`"${field}" must hold at least one source.`);
    list.forEach((source, i) => {
      const kind = source?.kind;
      if (kind === 'file' && !str((source.file as Body | undefined)?.uri)) throw acsErrors.badRequest(`${field}[${i}].file.uri is required.`);
      else if (kind === 'text' && !str((source.text as Body | undefined)?.text)) throw acsErrors.badRequest(`${field}[${i}].text.text is required.`);
      else if (kind === 'ssml' && !str((source.ssml as Body | undefined)?.ssmlText)) throw acsErrors.badRequest(`${field}[${i}].ssml.ssmlText is required.`);
      else if (kind !== 'file' && kind !== 'text' && kind !== 'ssml') throw acsErrors.badRequest(`${field}[${i}].kind must be file, text or ssml (got ${JSON.stringify(kind)}).`);
    });
    return list;
  }

  private duration(sources: Body[]): number {
    let ms = 0;
    for (const source of sources) {
      const text = str((source.text as Body | undefined)?.text) ?? str((source.ssml as Body | undefined)?.ssmlText)?.replace(/<[^>]+>/g, '');
      ms += text ? Math.max(300, text.length * 60) : 500;
    }
    return ms / this.ctx.speed;
  }

  private async playable(sources: Body[]): Promise<boolean> {
    for (const source of sources) {
      if (source.kind !== 'file') continue;
      try {
        const url = new URL(String((source.file as Body).uri));
        if (url.protocol === 'file:') await stat(fileURLToPath(url));
        else if (isLoopbackUrl(url)) {
          const response = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(5000) });
          if (!response.ok) return false;
        }
      } catch {
        return false;
      }
    }
    return true;
  }

  private nextReply(call: CallRecord): ScenarioReply | undefined {
    const replies = call.scenario.replies;
    if (!replies?.length) return undefined;
    const index = this.replyIndex.get(call.callConnectionId) ?? 0;
    this.replyIndex.set(call.callConnectionId, index + 1);
    return replies[Math.min(index, replies.length - 1)];
  }

  private async recognition(call: CallRecord, inputType: string, options: Body, choices: Array<{ label?: string; phrases?: string[]; tone?: string }>, reply: ScenarioReply | undefined): Promise<[string, Body]> {
    if (reply?.timeout) return ['RecognizeFailed', { resultInformation: R.initialSilence }];
    const dtmf = (options.dtmfOptions ?? {}) as { maxTonesToCollect?: number; stopTones?: string[] };
    const stopTones = (dtmf.stopTones ?? []).filter((t) => TONE_NAMES.has(t));
    const wantsDtmf = inputType === 'dtmf' || (inputType === 'speechOrDtmf' && reply?.dtmf !== undefined);
    if (wantsDtmf) {
      const pressed = reply?.dtmf !== undefined ? tonesOf(reply.dtmf, 'scenario replies[].dtmf') : ['one', ...stopTones.slice(0, 1)];
      const max = dtmf.maxTonesToCollect ?? 1;
      const tones: string[] = [];
      for (const tone of pressed) {
        if (stopTones.includes(tone)) return ['RecognizeCompleted', { recognitionType: 'dtmf', dtmfResult: { tones }, resultInformation: R.stopTone }];
        tones.push(tone);
        if (tones.length >= max) return ['RecognizeCompleted', { recognitionType: 'dtmf', dtmfResult: { tones }, resultInformation: R.maxTones }];
      }
      return ['RecognizeFailed', { resultInformation: tones.length === 0 ? R.initialSilence : R.interTone }];
    }
    if (inputType === 'choices') {
      const heard = reply?.speech ?? (reply?.dtmf === undefined ? choices[0].phrases![0] : undefined);
      const tone = reply?.dtmf !== undefined ? tonesOf(reply.dtmf, 'scenario replies[].dtmf')[0] : undefined;
      const match = choices.find((c) => (tone && c.tone === tone) || (heard && c.phrases!.some((p) => p.toLowerCase() === heard.toLowerCase().trim())));
      if (!match) return ['RecognizeFailed', { resultInformation: R.noChoice }];
      return ['RecognizeCompleted', { recognitionType: 'choices', choiceResult: { label: match.label, recognizedPhrase: heard ?? match.phrases![0], confidence: 0.9 }, resultInformation: R.choice }];
    }
    const speech = reply?.speech ?? (await this.fixtureSentence(call));
    return ['RecognizeCompleted', { recognitionType: 'speech', speechResult: { speech, confidence: 0.9 }, resultInformation: R.speech }];
  }

  /** The caller's next bundled fixture sentence (a different one each time the same call asks). */
  private async fixtureSentence(call: CallRecord): Promise<string> {
    const names = listFixtures();
    const index = this.replyIndex.get(call.callConnectionId) ?? 0;
    this.replyIndex.set(call.callConnectionId, index + 1);
    return (await loadFixture(names[index % names.length])).transcript.text;
  }
}
