// Audio sources → clips at the call's rate: a bundled fixture, a WAV file (any rate and channel count, converted),
// a tone, or silence. Loaded once per engine and rate, then shared by every stream that uses them.
import { readFile } from 'node:fs/promises';
import { readWav, resample, toMono } from '../../audio/index.js';
import type { AudioSourceSpec } from '../media-engine-contract.js';
import { EngineErrorCode, MediaEngineError } from './engine-error.js';
import { listFixtures, loadFixture, parseTranscriptFile, type Transcript } from './fixtures.js';

/** Audio a participant can say: PCM at the call's rate, or a generated tone; possibly with a transcript. */
export interface Clip {
  /** Human-readable origin, for logs (`fixture en-us-male`, `tone 440 Hz`). */
  label: string;
  /** PCM at the call's rate; undefined for generated clips (tone, silence). */
  samples: Int16Array | undefined;
  /** A sine tone, when this clip is one. */
  tone: { frequencyHz: number; amplitude: number } | undefined;
  /** Length in samples; Infinity for a tone or silence without an end. */
  lengthSamples: number;
  transcript: Transcript | undefined;
}

/** Loads clips, caching decoded and resampled PCM by source and rate. */
export interface ClipLoader {
  load(source: AudioSourceSpec, sampleRate: number, fallbackFixtureIndex: number): Promise<Clip>;
}

/** Default tone amplitude (fraction of full scale). */
export const DEFAULT_TONE_AMPLITUDE = 0.25;

/** Creates a loader whose cache lives as long as the engine. */
export function createClipLoader(): ClipLoader {
  const cache = new Map<string, Promise<Clip>>();

  function cached(key: string, make: () => Promise<Clip>): Promise<Clip> {
    let clip = cache.get(key);
    if (clip === undefined) {
      clip = make();
      cache.set(key, clip);
      // A failed load is not cached: the file may appear later.
      clip.catch(() => cache.delete(key));
    }
    return clip;
  }

  return {
    async load(source, sampleRate, fallbackFixtureIndex) {
      switch (source.type) {
        case 'fixture': {
          const names = listFixtures();
          const name = source.name ?? names[fallbackFixtureIndex % names.length];
          return cached(`fixture:${name}:${sampleRate}`, async () => {
            const fixture = await loadFixture(name);
            return pcmClip(`fixture ${name}`, fixture.samples, fixture.sampleRate, sampleRate, fixture.transcript);
          });
        }
        case 'wav':
          return cached(`wav:${source.path}:${sampleRate}`, () => loadWavClip(source.path, sampleRate));
        case 'tone': {
          const amplitude = source.amplitude ?? DEFAULT_TONE_AMPLITUDE;
          if (!(source.frequencyHz > 0) || !(amplitude >= 0 && amplitude <= 1)) {
            throw new MediaEngineError(
              EngineErrorCode.InvalidSpec,
              `tone needs frequencyHz > 0 and amplitude in [0, 1]; got ${source.frequencyHz} Hz, ${amplitude}`,
            );
          }
          return {
            label: `tone ${source.frequencyHz} Hz`,
            samples: undefined,
            tone: { frequencyHz: source.frequencyHz, amplitude },
            lengthSamples: lengthOf(source.durationMs, sampleRate),
            transcript: undefined,
          };
        }
        case 'silence':
          return {
            label: 'silence',
            samples: undefined,
            tone: undefined,
            lengthSamples: lengthOf(source.durationMs, sampleRate),
            transcript: undefined,
          };
      }
    },
  };
}

function lengthOf(durationMs: number | undefined, sampleRate: number): number {
  return durationMs === undefined ? Infinity : Math.round((durationMs * sampleRate) / 1000);
}

function pcmClip(
  label: string,
  samples: Int16Array,
  fromRate: number,
  toRate: number,
  transcript: Transcript | undefined,
): Clip {
  const pcm = fromRate === toRate ? samples : resample(samples, fromRate, toRate);
  return { label, samples: pcm, tone: undefined, lengthSamples: pcm.length, transcript };
}

/** A WAV source, converted to mono at the call's rate; `x.json` beside `x.wav` is read as its transcript. */
async function loadWavClip(path: string, sampleRate: number): Promise<Clip> {
  let wav;
  try {
    wav = readWav(await readFile(path));
  } catch (cause) {
    throw new MediaEngineError(
      EngineErrorCode.SourceUnreadable,
      `cannot read WAV source ${path}: ${(cause as Error).message}; give a PCM16 WAV file the emulator can read`,
      { cause },
    );
  }
  const mono = wav.channels === 1 ? wav.samples : toMono(wav.samples, wav.channels);
  const transcriptPath = path.replace(/\.wav$/i, '') + '.json';
  let transcript: Transcript | undefined;
  try {
    transcript = parseTranscriptFile(await readFile(transcriptPath, 'utf8'), transcriptPath).transcript;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return pcmClip(`wav ${path}`, mono, wav.sampleRate, sampleRate, transcript);
}
