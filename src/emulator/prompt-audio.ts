// What the call hears of a running :play or recognize prompt. The emulator synthesizes no speech: a prompt (text,
// SSML or file) is heard as a tone for as long as it plays, so a call recording holds the bot's prompts where ACS's
// does (in the app's audio: its own channel when unmixed).

/** The prompt tone's pitch. */
export const PROMPT_TONE_HZ = 440;
/** Its level: −20 dBFS, clearly there and never clipping the mix. */
const AMPLITUDE = 3277;

/** A prompt playing on a call, until `untilMs` (wall clock; Infinity for a loop until it is canceled). */
export interface PlayingPrompt {
  untilMs: number;
}

/** Whether `prompt` is heard at wall time `now`. */
export function isPlaying(prompt: PlayingPrompt | undefined, now: number): prompt is PlayingPrompt {
  return prompt !== undefined && now < prompt.untilMs;
}

/** The app's frame with the prompt tone added; `firstSample` keeps the tone's phase continuous across frames. */
export function withPromptTone(app: Int16Array, sampleRate: number, firstSample: number): Int16Array {
  const out = new Int16Array(app.length);
  const step = (2 * Math.PI * PROMPT_TONE_HZ) / sampleRate;
  for (let i = 0; i < app.length; i++) {
    const sum = app[i] + Math.round(AMPLITUDE * Math.sin(step * (firstSample + i)));
    out[i] = sum > 32767 ? 32767 : sum < -32768 ? -32768 : sum;
  }
  return out;
}
