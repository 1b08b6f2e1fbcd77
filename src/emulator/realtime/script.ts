// What the stand-in answers: a script of steps (speak a clip with its text, or call a tool). It is not a language
// model — it answers each response from the next step, whatever was said.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readWav } from '../../audio/index.js';
import { knownSpeech, type KnownSpeech } from './known-speech.js';

/** One step: say a bundled clip (`clip`, its text from the manifest) or any text (spoken with the closest clip), or call a tool. */
export type ScriptStep = { say?: string; clip?: string } | { tool: { name: string; arguments: Record<string, unknown> | string } };

export interface RealtimeScript {
  /** The first response of a connection. @default clip reply-0 */
  greeting?: ScriptStep;
  /** Each later response takes the next step; after the last, `repeat` says whether to start over. */
  turns?: ScriptStep[];
  /** @default true */
  repeat?: boolean;
}

export interface Clip {
  name: string;
  text: string;
  pcm: Buffer;
  /** Its envelope and word timings: to recognize it when a caller plays it back, and to say what a truncate left. */
  known: KnownSpeech;
}

function clipsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'fixtures', 'realtime');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('realtime model: fixtures/realtime not found above the module; reinstall the package');
    dir = parent;
  }
}

/** Loads the bundled 24 kHz reply clips (fixtures/realtime/manifest.json). */
export function loadClips(): Map<string, Clip> {
  const dir = clipsDir();
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { clips: Array<{ name: string; text: string }> };
  const clips = new Map<string, Clip>();
  for (const { name, text } of manifest.clips) {
    const wav = readWav(readFileSync(join(dir, `${name}.wav`)));
    const samples = wav.samples;
    const pcm = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
    clips.set(name, { name, text, pcm, known: knownSpeech(name, text, samples, wav.sampleRate) });
  }
  return clips;
}

export const DEFAULT_SCRIPT: RealtimeScript = {
  greeting: { clip: 'reply-0' },
  turns: [{ clip: 'reply-1' }, { clip: 'reply-2' }, { clip: 'reply-3' }],
  repeat: true,
};

/** Step n of a connection (0 = greeting). */
export function stepAt(script: RealtimeScript, n: number): ScriptStep | undefined {
  if (n === 0) return script.greeting ?? DEFAULT_SCRIPT.greeting;
  const turns = script.turns ?? DEFAULT_SCRIPT.turns!;
  if (turns.length === 0) return undefined;
  const i = n - 1;
  if (i < turns.length) return turns[i];
  return script.repeat === false ? undefined : turns[i % turns.length];
}
