// What a barge-in tells the model: for each item it cut, one conversation.item.truncate with audio_end_ms = what the
// caller heard (the pacing model's playedMs, frozen when StopAudio went out), never what the model generated
// (docs/voice-agents.md §Barge-in). Pure, so the rule reads in one place.
import type { CutPlayback } from './agent-playback.js';
import type { AgentTruncation } from './bridge-stats.js';

/** An item heard to within this much of its end counts as heard whole (the last frame may still be in flight). */
const HEARD_WHOLE_SLACK_MS = 20;

/** The truncations to send for what a barge-in cut, in item order. */
export function truncationsFor(cut: CutPlayback): AgentTruncation[] {
  const out: AgentTruncation[] = [];
  for (const item of cut.items) {
    const heard = Math.max(0, Math.floor(Math.min(item.cutAtMs ?? item.stream.playedMs, item.generatedMs)));
    // An item heard to its end needs no truncation, the model's context is already right, unless its response was
    // still going (the model would carry on from what it generated next).
    if (heard >= Math.floor(item.generatedMs) - HEARD_WHOLE_SLACK_MS && cut.activeResponseId !== item.responseId) continue;
    out.push({ itemId: item.itemId, contentIndex: item.contentIndex, audioEndMs: heard, generatedMs: Math.round(item.generatedMs) });
  }
  return out;
}
