// The bundled speech fixtures (fixtures/speech/<name>.wav + <name>.json, made by scripts/make-fixtures.sh):
// real speech with word timings, so a plain emulated call streams something a transcriber or a person recognizes.
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readWav } from '../../audio/index.js';
import { EngineErrorCode, MediaEngineError } from './engine-error.js';

/** One word of a transcript; offsets and durations in ticks of 100 ns from the start of the clip. */
export interface TranscriptWord {
  text: string;
  offsetTicks: number;
  durationTicks: number;
}

/** What is said in a clip: the display text and timed words (docs/protocol.md §1, TranscriptionData). */
export interface Transcript {
  text: string;
  words: TranscriptWord[];
}

/** A speech fixture: mono PCM16 samples at `sampleRate` and its transcript. */
export interface SpeechFixture {
  name: string;
  sampleRate: number;
  samples: Int16Array;
  durationMs: number;
  locale: string;
  /** The voice that spoke it, e.g. `espeak-ng en-us+f2`. */
  voice: string;
  transcript: Transcript;
}

const FIXTURE_NAME = /^[a-z0-9][a-z0-9-]*$/;

/**
 * The package's `fixtures/speech` folder, found by walking up from this module: the same answer from `src/` under
 * tsx and from `dist/` once built (both sit under the package root).
 */
export function fixturesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'fixtures', 'speech');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new MediaEngineError(
        EngineErrorCode.FixturesMissing,
        `speech fixtures not found: no fixtures/speech folder above ${fileURLToPath(import.meta.url)}; ` +
          'reinstall the package or run scripts/make-fixtures.sh',
      );
    }
    dir = parent;
  }
}

/** Names of the bundled speech fixtures, sorted (e.g. `en-gb-female`, `en-us-male`). */
export function listFixtures(): string[] {
  return readdirSync(fixturesDir())
    .filter((file) => file.endsWith('.wav'))
    .map((file) => file.slice(0, -'.wav'.length))
    .sort();
}

/** Loads a bundled speech fixture by name; throws FIXTURE_NOT_FOUND naming the ones that exist. */
export async function loadFixture(name: string): Promise<SpeechFixture> {
  const names = listFixtures();
  if (!FIXTURE_NAME.test(name) || !names.includes(name)) {
    throw new MediaEngineError(
      EngineErrorCode.FixtureNotFound,
      `no speech fixture named ${JSON.stringify(name)}; bundled fixtures: ${names.join(', ')}`,
    );
  }
  const dir = fixturesDir();
  const wav = readWav(await readFile(join(dir, `${name}.wav`)));
  const meta = parseTranscriptFile(await readFile(join(dir, `${name}.json`), 'utf8'), `${name}.json`);
  return {
    name,
    sampleRate: wav.sampleRate,
    samples: wav.samples,
    durationMs: wav.durationMs,
    locale: typeof meta.locale === 'string' ? meta.locale : 'en-US',
    voice: typeof meta.voice === 'string' ? meta.voice : 'unknown',
    transcript: meta.transcript,
  };
}

/**
 * Reads a transcript JSON (`{ text, words: [{ text, offset, duration }] }`, ticks) — the fixtures' format, also
 * accepted beside a WAV source (`call.wav` + `call.json`).
 */
export function parseTranscriptFile(
  json: string,
  where: string,
): { transcript: Transcript; locale?: unknown; voice?: unknown } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw new MediaEngineError(EngineErrorCode.SourceUnreadable, `transcript ${where} is not valid JSON`, { cause });
  }
  const record = value as { text?: unknown; words?: unknown; locale?: unknown; voice?: unknown } | null;
  if (record === null || typeof record !== 'object' || typeof record.text !== 'string' || !Array.isArray(record.words)) {
    throw new MediaEngineError(
      EngineErrorCode.SourceUnreadable,
      `transcript ${where} needs "text" (string) and "words" (array of { text, offset, duration } in ticks)`,
    );
  }
  const words = record.words.map((word: { text?: unknown; offset?: unknown; duration?: unknown }, index) => {
    if (typeof word?.text !== 'string' || typeof word.offset !== 'number' || typeof word.duration !== 'number') {
      throw new MediaEngineError(
        EngineErrorCode.SourceUnreadable,
        `transcript ${where}: word ${index} needs text (string), offset and duration (ticks)`,
      );
    }
    return { text: word.text, offsetTicks: word.offset, durationTicks: word.duration };
  });
  return { transcript: { text: record.text, words }, locale: record.locale, voice: record.voice };
}
