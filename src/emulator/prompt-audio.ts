// What the call hears of a running :play or recognize prompt: its audio when the emulator could make it
// (prompt-synth.ts: espeak-ng speech, readable files), else a tone for as long as it plays, so a call recording holds
// the bot's prompts where ACS's does (in the app's audio: its own channel when unmixed).
import { mixFrames } from '../audio/index.js';

/** The prompt tone's pitch. */
export const PROMPT_TONE_HZ = 440;
/** Its level: −20 dBFS, clearly there and never clipping the mix. */
const AMPLITUDE = 3277;

/** A prompt playing on a call, until `untilMs` (wall clock; Infinity for a loop until it is canceled). */
export interface PlayingPrompt {
  untilMs: number;
  /** The prompt's audio at the call's rate, when it could be made; `cursor` is how much of it was heard. */
  pcm?: Int16Array;
  cursor?: number;
}

/** Whether `prompt` is heard at wall time `now`. */
export function isPlaying(prompt: PlayingPrompt | undefined, now: number): prompt is PlayingPrompt {
  return prompt !== undefined && now < prompt.untilMs;
}

/** The app's frame with the prompt added: the next part of its audio, or the tone (`firstSample` keeps the tone's
 *  phase continuous across frames). */
export function withPrompt(app: Int16Array, sampleRate: number, prompt: PlayingPrompt, firstSample: number): Int16Array {
  if (prompt.pcm !== undefined) return withPromptAudio(app, prompt, prompt.pcm);
  const out = new Int16Array(app.length);
  const step = (2 * Math.PI * PROMPT_TONE_HZ) / sampleRate;
  for (let i = 0; i < app.length; i++) {
    const sum = app[i] + Math.round(AMPLITUDE * Math.sin(step * (firstSample + i)));
    out[i] = sum > 32767 ? 32767 : sum < -32768 ? -32768 : sum;
  }
  return out;
}

function withPromptAudio(app: Int16Array, prompt: PlayingPrompt, pcm: Int16Array): Int16Array {
  const from = prompt.cursor ?? 0;
  prompt.cursor = from + app.length;
  // Past the prompt's end the slice is short (or empty): mixFrames adds nothing there.
  return mixFrames([app, pcm.subarray(from, from + app.length)], new Int16Array(app.length));
}
