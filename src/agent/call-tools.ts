// The built-in tools that control the call through the official Call Automation SDK (src/calls): end_call hangs up
// once the answer in progress has been heard, transfer_call only reaches a configured target (never a number the
// model makes up), send_dtmf presses keys toward the caller (an IVR behind the call, say).
import type { CallAutomationClient } from '@azure/communication-call-automation';
import { tool, type FunctionTool } from '@openai/agents-realtime';
import { z } from 'zod';
import { describeCall, hangUpCall, sendDtmfTones, transferCall } from '../calls/index.js';
import type { AcsRealtimeTransportLayer } from './acs-transport.js';

/** What the call-control tools need. */
export interface CallToolsOptions {
  client: CallAutomationClient;
  /** The call's id (the media session learns it from callbacks, so it is read when a tool runs). */
  callConnectionId: () => string | undefined;
  transport: AcsRealtimeTransportLayer;
  /** Where transfer_call may go: phone numbers (+1555…) or raw IDs. Empty: no transfer_call tool. @default [] */
  transferTargets?: string[];
  /** Raw ID that send_dtmf sends tones to (the caller); undefined: no send_dtmf tool. */
  dtmfTarget?: () => string | undefined;
  /** Called after end_call or transfer_call took the call away (the agent stops). */
  onCallLeft?: (how: 'hangup' | 'transfer') => void;
}

/** A failed tool's output: what went wrong (the SDK's default says only "an error occurred"), so the model can tell
 *  the caller and the call's toolCalls show why. */
const toolFailed = (_context: unknown, error: unknown): string => `The call-control tool failed: ${(error as Error)?.message ?? String(error)}`;

function idOf(options: CallToolsOptions): string {
  const id = options.callConnectionId();
  if (!id) throw new Error('this call has no callConnectionId yet (no Call Automation callback linked it)');
  return id;
}

/** The call-control tools for one call, for a RealtimeAgent's `tools`. */
export function createCallTools(options: CallToolsOptions): FunctionTool[] {
  const tools: FunctionTool[] = [];
  tools.push(
    tool({
      name: 'end_call',
      description: 'Hang up the call. Say goodbye first; the call ends once the caller has heard it.',
      parameters: z.object({ reason: z.string().describe('Why the call ends, for the log') }),
      errorFunction: toolFailed,
      execute: async () => {
        await options.transport.playbackIdle();
        await hangUpCall(options.client, idOf(options));
        options.onCallLeft?.('hangup');
        return 'The call has ended.';
      },
    }) as unknown as FunctionTool,
  );
  const targets = options.transferTargets ?? [];
  if (targets.length > 0) {
    tools.push(
      tool({
        name: 'transfer_call',
        description: `Transfer the caller to a person. Allowed targets: ${targets.join(', ')}. Tell the caller first.`,
        parameters: z.object({ target: z.string().describe(`One of: ${targets.join(', ')}`) }),
        errorFunction: toolFailed,
        execute: async ({ target }) => {
          // Only a configured target: anything else the model says is refused, never dialled.
          const to = targets.find((allowed) => allowed === target.trim());
          if (to === undefined) return `Refused: ${target} is not an allowed target (${targets.join(', ')}).`;
          await options.transport.playbackIdle();
          await transferCall(options.client, idOf(options), to);
          options.onCallLeft?.('transfer');
          return `Transferred to ${to}.`;
        },
      }) as unknown as FunctionTool,
    );
  }
  if (options.dtmfTarget) {
    const target = options.dtmfTarget;
    tools.push(
      tool({
        name: 'send_dtmf',
        description: 'Press keys on the phone keypad (digits 0-9, * and #), e.g. to navigate a phone menu.',
        parameters: z.object({ tones: z.string().regex(/^[0-9*#A-Da-d]{1,32}$/).describe('Keys to press, e.g. "1" or "123#"') }),
        errorFunction: toolFailed,
        execute: async ({ tones }) => {
          const id = idOf(options);
          // A mixed stream names no participant: then the call's first participant (the caller) from the SDK.
          const rawId = target() ?? (await describeCall(options.client, id)).participants.find((p) => p.rawId !== '')?.rawId;
          if (!rawId) return 'Refused: no participant to send tones to.';
          await sendDtmfTones(options.client, id, tones, rawId);
          return `Pressed ${tones}.`;
        },
      }) as unknown as FunctionTool,
    );
  }
  return tools;
}
