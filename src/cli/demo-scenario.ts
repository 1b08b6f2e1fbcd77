// The demo call's script: three people, overlapping speech, a long pause and one DTMF digit, about 20 seconds.
import type { Scenario } from '../emulator/index.js';

/** The caller, the agent and a supervisor who joins late; raw IDs shaped as ACS sends them (docs/protocol.md §1). */
export const DEMO_PARTICIPANTS = {
  caller: '4:+15551230001',
  agent: '8:acs:demo-resource_0000000b-agent-0001',
  supervisor: '4:+15551230002',
} as const;

/** Call time (ms after streaming starts) at which the caller first speaks: the greeting is barged in on here. */
export const DEMO_FIRST_SPEECH_MS = 3000;

/** Call time after which the demo stops streaming and hangs up through the SDK. */
export const DEMO_CALL_MS = 20_000;

/** The scripted call the demo streams (no durationMs: the demo ends the call itself, through the SDK). */
export const DEMO_SCENARIO: Scenario = {
  participants: [
    {
      rawId: DEMO_PARTICIPANTS.caller,
      displayName: 'Caller',
      steps: [
        { atMs: DEMO_FIRST_SPEECH_MS, say: { type: 'fixture', name: 'en-us-male' } },
        { atMs: 8_000, dtmf: '5' },
        { atMs: 14_500, say: { type: 'fixture', name: 'en-us-male' } },
      ],
    },
    {
      rawId: DEMO_PARTICIPANTS.agent,
      displayName: 'Agent',
      // Starts before the caller has finished: overlapping speech.
      steps: [
        { atMs: 5_200, say: { type: 'fixture', name: 'en-gb-female' } },
        { atMs: 16_500, say: { type: 'fixture', name: 'en-gb-female' } },
      ],
    },
    {
      rawId: DEMO_PARTICIPANTS.supervisor,
      displayName: 'Supervisor',
      // Silent until 10.5 s: a long leading silence in its track.
      steps: [{ atMs: 10_500, say: { type: 'fixture', name: 'en-gb-male' } }],
    },
  ],
};
