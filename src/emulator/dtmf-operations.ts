// DTMF operations of a call (docs/protocol.md §4): :sendDtmfTones (the app presses keys towards a participant) and
// continuous DTMF recognition (every key the caller presses is posted as it comes). What the caller presses while
// recognition runs comes from the scenario's `continuousDtmf`; with no scenario, the caller presses "1".
import type { CallRecord } from './call-store.js';
import { buildCallEvent, RESULT_OK, type CallbackSender } from './callback-events.js';
import { rawIdOf, type IdentifierModel } from './identifiers.js';
import { tonesOf } from './media-operations.js';
import { acsErrors } from './rest/acs-errors.js';
import { str } from './body-fields.js';

type Body = Record<string, unknown>;

/** What DTMF operations need from the emulator. */
export interface DtmfOperationsContext {
  connected(id: string): CallRecord;
  sender: CallbackSender;
  speed: number;
}

/** Keys follow each other this far apart (call-time ms), sent or pressed. */
const TONE_MS = 250;
/** The caller starts pressing this long after recognition starts. */
const FIRST_PRESS_MS = 500;
const TONE_NAMES = new Set(tonesOf('0123456789*#ABCD', 'tones'));

function target(body: Body): string {
  const rawId = rawIdOf(body.targetParticipant as IdentifierModel | undefined);
  if (!rawId) throw acsErrors.badRequest('The request body must have "targetParticipant" (a phone number or ACS user identifier).');
  return rawId;
}

interface Recognition {
  timers: NodeJS.Timeout[];
  operationContext: string | undefined;
  uri: string;
}

/** sendDtmfTones and start/stopContinuousDtmfRecognition. */
export class DtmfOperations {
  private readonly recognitions = new Map<string, Recognition>();
  private readonly sends = new Map<string, Set<NodeJS.Timeout>>();

  constructor(private readonly ctx: DtmfOperationsContext) {}

  /** :sendDtmfTones → 202 {operationContext}; SendDtmfTonesCompleted once the keys are sent, or …Failed. */
  send(id: string, body: Body): Record<string, unknown> {
    const call = this.ctx.connected(id);
    const to = target(body);
    const tones = Array.isArray(body.tones) ? (body.tones as unknown[]) : [];
    if (tones.length === 0 || tones.length > 18) throw acsErrors.badRequest('"tones" must hold 1 to 18 tones (zero … nine, asterisk, pound, a … d).');
    tones.forEach((tone, i) => {
      if (typeof tone !== 'string' || !TONE_NAMES.has(tone)) throw acsErrors.badRequest(`tones[${i}]: ${JSON.stringify(tone)} is not a tone (zero … nine, asterisk, pound, a … d).`);
    });
    const operationContext = str(body.operationContext);
    const uri = str(body.operationCallbackUri) ?? call.callbackUri;
    const timers = this.sends.get(id) ?? new Set<NodeJS.Timeout>();
    this.sends.set(id, timers);
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (call.state !== 'connected') return;
      if (!call.participants.includes(to)) {
        const resultInformation = { code: 400, subCode: 8523, message: `${to} is not a participant of the call.` };
        void this.ctx.sender.post(call, buildCallEvent(call, 'SendDtmfTonesFailed', { operationContext, resultInformation }), uri);
        return;
      }
      void this.ctx.sender.post(call, buildCallEvent(call, 'SendDtmfTonesCompleted', { operationContext, resultInformation: RESULT_OK }), uri);
    }, (tones.length * TONE_MS) / this.ctx.speed);
    timers.add(timer);
    return { operationContext };
  }

  /** :startContinuousDtmfRecognition → 200; one ContinuousDtmfRecognitionToneReceived per key the caller presses. */
  start(id: string, body: Body): void {
    const call = this.ctx.connected(id);
    target(body);
    if (this.recognitions.has(id)) throw acsErrors.badRequest(`Continuous DTMF recognition already runs on call ${id}; stop it first.`);
    const digits = call.scenario.continuousDtmf ?? '1';
    const tones = tonesOf(digits, 'scenario continuousDtmf');
    const recognition: Recognition = { timers: [], operationContext: str(body.operationContext), uri: str(body.operationCallbackUri) ?? call.callbackUri };
    tones.forEach((tone, index) => {
      const timer = setTimeout(() => {
        if (call.state !== 'connected' || this.recognitions.get(id) !== recognition) return;
        const fields = { operationContext: recognition.operationContext, tone, sequenceId: index + 1, resultInformation: RESULT_OK };
        void this.ctx.sender.post(call, buildCallEvent(call, 'ContinuousDtmfRecognitionToneReceived', fields), recognition.uri);
      }, (FIRST_PRESS_MS + index * TONE_MS) / this.ctx.speed);
      recognition.timers.push(timer);
    });
    this.recognitions.set(id, recognition);
  }

  /** :stopContinuousDtmfRecognition → 200; ContinuousDtmfRecognitionStopped. */
  stop(id: string, body: Body): void {
    const call = this.ctx.connected(id);
    target(body);
    const recognition = this.recognitions.get(id);
    recognition?.timers.forEach((timer) => clearTimeout(timer));
    this.recognitions.delete(id);
    const operationContext = str(body.operationContext) ?? recognition?.operationContext;
    const uri = str(body.operationCallbackUri) ?? recognition?.uri ?? call.callbackUri;
    void this.ctx.sender.post(call, buildCallEvent(call, 'ContinuousDtmfRecognitionStopped', { operationContext, resultInformation: RESULT_OK }), uri);
  }

  /** The call ended: nothing more is posted for it. */
  forget(id: string): void {
    this.recognitions.get(id)?.timers.forEach((timer) => clearTimeout(timer));
    this.recognitions.delete(id);
    this.sends.get(id)?.forEach((timer) => clearTimeout(timer));
    this.sends.delete(id);
  }

  close(): void {
    for (const id of [...this.recognitions.keys(), ...this.sends.keys()]) this.forget(id);
  }
}
