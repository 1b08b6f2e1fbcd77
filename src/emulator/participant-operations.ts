// The participant operations of a call (docs/protocol.md §4): add (and cancel it), remove, transfer, mute, get, hold and
// unhold, with the callback events ACS posts. Who answers, and how, comes from the scenario's `callees`; with no
// scenario every callee answers after about a second. An answered callee joins the media stream and speaks (a
// scripted "human agent"); a removed one leaves it; a muted one's frames go silent.
import { randomUUID } from 'node:crypto';
import type { CallRecord } from './call-store.js';
import { buildCallEvent, RESULT_OK, type CallbackSender, type ResultInformation } from './callback-events.js';
import { identifierOf, rawIdOf, type IdentifierModel } from './identifiers.js';
import type { ScenarioCallee } from './media-engine-contract.js';
import { acsErrors } from './rest/acs-errors.js';
import { str } from './body-fields.js';

type Body = Record<string, unknown>;

/** What participant operations need from the emulator. */
export interface ParticipantOperationsContext {
  connected(id: string): CallRecord;
  hangUp(id: string): Promise<void>;
  sender: CallbackSender;
  speed: number;
}

interface CallState {
  muted: Set<string>;
  held: Set<string>;
  sequence: number;
  invitations: Map<string, { timer: NodeJS.Timeout; rawId: string }>;
  /** Transfers ringing. */
  timers: Set<NodeJS.Timeout>;
}

/** How long a callee rings before answering (divided by speed). */
const ANSWER_MS = 1000;

const FAILURES: Record<Exclude<ScenarioCallee['answer'], 'answer' | undefined>, ResultInformation> = {
  busy: { code: 486, subCode: 0, message: 'The callee is busy.' },
  noAnswer: { code: 408, subCode: 10004, message: 'The callee did not answer before the invitation timed out.' },
  decline: { code: 603, subCode: 0, message: 'The callee declined the call.' },
};

function requireParticipant(body: Body, field: string): string {
  const rawId = rawIdOf(body[field] as IdentifierModel | undefined);
  if (!rawId) throw acsErrors.badRequest(`The request body must have "${field}" (a phone number or ACS user identifier).`);
  return rawId;
}

/** Add, remove, transfer, mute, get, hold, unhold. */
export class ParticipantOperations {
  private readonly calls = new Map<string, CallState>();

  constructor(private readonly ctx: ParticipantOperationsContext) {}

  /** A participant as the REST API returns it (CallParticipantInternal). */
  participant(call: CallRecord, rawId: string): Record<string, unknown> {
    const state = this.state(call);
    return { identifier: identifierOf(rawId), isMuted: state.muted.has(rawId), isOnHold: state.held.has(rawId) };
  }

  list(id: string): Record<string, unknown> {
    const call = this.ctx.connected(id);
    return { value: call.participants.map((rawId) => this.participant(call, rawId)) };
  }

  get(id: string, rawId: string): Record<string, unknown> {
    const call = this.ctx.connected(id);
    if (!call.participants.includes(rawId)) throw acsErrors.participantNotFound(id, rawId);
    return this.participant(call, rawId);
  }

  /** participants:add → 202 with the invitation; AddParticipantSucceeded/Failed when the callee answers or not. */
  add(id: string, body: Body): Record<string, unknown> {
    const call = this.ctx.connected(id);
    const rawId = requireParticipant(body, 'participantToAdd');
    if (call.participants.includes(rawId)) throw acsErrors.badRequest(`${rawId} is already in call ${id}.`);
    const state = this.state(call);
    const invitationId = randomUUID();
    const operationContext = str(body.operationContext);
    const uri = str(body.operationCallbackUri) ?? call.callbackUri;
    const callee = this.callee(call, rawId);
    const answer = callee.answer ?? 'answer';
    const timer = setTimeout(() => {
      state.invitations.delete(invitationId);
      if (call.state !== 'connected') return;
      const participant = identifierOf(rawId);
      if (answer !== 'answer') {
        void this.ctx.sender.post(call, buildCallEvent(call, 'AddParticipantFailed', { operationContext, participant, resultInformation: FAILURES[answer] }), uri);
        return;
      }
      call.participants.push(rawId);
      void call.stream?.join?.(rawId, callee.say);
      void this.ctx.sender.post(call, buildCallEvent(call, 'AddParticipantSucceeded', { operationContext, participant, resultInformation: RESULT_OK }), uri);
      this.participantsUpdated(call);
    }, (callee.ringMs ?? ANSWER_MS) / this.ctx.speed);
    state.invitations.set(invitationId, { timer, rawId });
    return { participant: this.participant(call, rawId), operationContext, invitationId };
  }

  /** participants:cancelAddParticipant → 202; CancelAddParticipantSucceeded, or …Failed when it was already answered. */
  cancelAdd(id: string, body: Body): Record<string, unknown> {
    const call = this.ctx.connected(id);
    const invitationId = str(body.invitationId);
    if (!invitationId) throw acsErrors.badRequest('The request body must have a non-empty "invitationId".');
    const operationContext = str(body.operationContext);
    const uri = str(body.operationCallbackUri) ?? call.callbackUri;
    const invitation = this.state(call).invitations.get(invitationId);
    if (invitation) {
      clearTimeout(invitation.timer);
      this.state(call).invitations.delete(invitationId);
      void this.ctx.sender.post(call, buildCallEvent(call, 'CancelAddParticipantSucceeded', { operationContext, invitationId, resultInformation: RESULT_OK }), uri);
    } else {
      const result = { code: 400, subCode: 8523, message: 'The invitation is unknown or already answered.' };
      void this.ctx.sender.post(call, buildCallEvent(call, 'CancelAddParticipantFailed', { operationContext, invitationId, resultInformation: result }), uri);
    }
    return { invitationId, operationContext };
  }

  /** participants:remove → 202; RemoveParticipantSucceeded and ParticipantsUpdated. */
  remove(id: string, body: Body): Record<string, unknown> {
    const call = this.ctx.connected(id);
    const rawId = requireParticipant(body, 'participantToRemove');
    if (!call.participants.includes(rawId)) throw acsErrors.participantNotFound(id, rawId);
    const operationContext = str(body.operationContext);
    call.participants = call.participants.filter((p) => p !== rawId);
    call.stream?.leave?.(rawId);
    void this.ctx.sender.post(call, buildCallEvent(call, 'RemoveParticipantSucceeded', { operationContext, participant: identifierOf(rawId), resultInformation: RESULT_OK }), str(body.operationCallbackUri) ?? call.callbackUri);
    this.participantsUpdated(call);
    if (call.participants.length === 0) void this.ctx.hangUp(id);
    return { operationContext };
  }

  /** :transferToParticipant → 202; CallTransferAccepted then the bot's call ends, or CallTransferFailed. */
  transfer(id: string, body: Body): Record<string, unknown> {
    const call = this.ctx.connected(id);
    const target = requireParticipant(body, 'targetParticipant');
    const transferee = rawIdOf(body.transferee as IdentifierModel | undefined) ?? call.participants[0];
    const operationContext = str(body.operationContext);
    const uri = str(body.operationCallbackUri) ?? call.callbackUri;
    const callee = this.callee(call, target);
    const answer = callee.answer ?? 'answer';
    const timer = setTimeout(() => {
      this.state(call).timers.delete(timer);
      if (call.state !== 'connected') return;
      const fields = { operationContext, transferTarget: identifierOf(target), transferee: transferee ? identifierOf(transferee) : undefined };
      if (answer !== 'answer') {
        void this.ctx.sender.post(call, buildCallEvent(call, 'CallTransferFailed', { ...fields, resultInformation: FAILURES[answer] }), uri);
        return;
      }
      void this.ctx.sender.post(call, buildCallEvent(call, 'CallTransferAccepted', { ...fields, resultInformation: RESULT_OK }), uri);
      void this.ctx.hangUp(id);
    }, (callee.ringMs ?? ANSWER_MS) / this.ctx.speed);
    this.state(call).timers.add(timer);
    return { operationContext };
  }

  /** participants:mute → 200. ACS mutes only; there is no unmute operation. */
  mute(id: string, body: Body): Record<string, unknown> {
    const call = this.ctx.connected(id);
    const targets = Array.isArray(body.targetParticipants) ? (body.targetParticipants as IdentifierModel[]).map(rawIdOf) : [];
    if (targets.length !== 1 || !targets[0]) throw acsErrors.badRequest('"targetParticipants" must hold exactly one participant.');
    if (!call.participants.includes(targets[0])) throw acsErrors.participantNotFound(id, targets[0]);
    this.state(call).muted.add(targets[0]);
    call.stream?.mute?.(targets[0]);
    this.participantsUpdated(call);
    return { operationContext: str(body.operationContext) };
  }

  /** :hold / :unhold → 200; ParticipantsUpdated; HoldFailed for someone not in the call. */
  hold(id: string, body: Body, on: boolean): void {
    const call = this.ctx.connected(id);
    const rawId = requireParticipant(body, 'targetParticipant');
    if (!call.participants.includes(rawId)) {
      const result = { code: 400, subCode: 8523, message: `${rawId} is not a participant of the call.` };
      void this.ctx.sender.post(call, buildCallEvent(call, 'HoldFailed', { operationContext: str(body.operationContext), resultInformation: result }), str(body.operationCallbackUri) ?? call.callbackUri);
      return;
    }
    const held = this.state(call).held;
    if (on) held.add(rawId);
    else held.delete(rawId);
    this.participantsUpdated(call);
  }

  /** Whether a participant is muted (its frames should go silent). */
  isMuted(id: string, rawId: string): boolean {
    return this.calls.get(id)?.muted.has(rawId) ?? false;
  }

  forget(id: string): void {
    const state = this.calls.get(id);
    state?.invitations.forEach((i) => clearTimeout(i.timer));
    state?.timers.forEach((timer) => clearTimeout(timer));
    this.calls.delete(id);
  }

  close(): void {
    for (const id of [...this.calls.keys()]) this.forget(id);
  }

  private callee(call: CallRecord, rawId: string): ScenarioCallee {
    return call.scenario.callees?.find((c) => c.rawId === rawId) ?? { rawId };
  }

  private participantsUpdated(call: CallRecord): void {
    const state = this.state(call);
    state.sequence++;
    const participants = call.participants.map((rawId) => this.participant(call, rawId));
    void this.ctx.sender.post(call, buildCallEvent(call, 'ParticipantsUpdated', { participants, sequenceNumber: state.sequence }));
  }

  private state(call: CallRecord): CallState {
    let state = this.calls.get(call.callConnectionId);
    if (!state) {
      state = { muted: new Set(), held: new Set(), sequence: 1, invitations: new Map(), timers: new Set() };
      this.calls.set(call.callConnectionId, state);
    }
    return state;
  }
}
