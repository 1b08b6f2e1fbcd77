// The audio of a :play or recognize prompt, when the emulator can make it: text and SSML spoken by espeak-ng when it is
// installed, file sources read when the emulator can reach them (file: URLs and loopback http). A source it cannot
// make is heard as the prompt tone for the time ACS would take to say it (prompt-audio.ts), so a bot's recordings
// hold its prompts either way; docs/emulator.md says which.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { readWav, resample, toMono } from '../audio/index.js';
import { isLoopbackUrl, str } from './body-fields.js';

type Body = Record<string, unknown>;

/** How prompt audio is made. */
export interface PromptSynthOptions {
  /** Speak text and SSML (false: they are heard as the tone). @default true */
  readonly speech?: boolean;
  /** The speech synthesizer to run for text and SSML (`--stdout` WAV). @default 'espeak-ng' */
  readonly espeakCommand?: string;
}

/** Makes prompt audio; remembers whether the synthesizer runs (asked once per emulator). */
export class PromptSynth {
  private espeakRuns: boolean | undefined;
  private readonly command: string;

  constructor(options: PromptSynthOptions = {}) {
    this.command = options.espeakCommand ?? 'espeak-ng';
    if (options.speech === false) this.espeakRuns = false;
  }

  /** The sources' audio back to back at `sampleRate`, or undefined when any of them cannot be made. */
  async audio(sources: Body[], sampleRate: number): Promise<Int16Array | undefined> {
    const parts: Int16Array[] = [];
    for (const source of sources) {
      const part = await this.sourceAudio(source, sampleRate).catch(() => undefined);
      if (part === undefined) return undefined;
      parts.push(part);
    }
    const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  private async sourceAudio(source: Body, sampleRate: number): Promise<Int16Array | undefined> {
    let wav: Buffer | undefined;
    if (source.kind === 'file') wav = await this.fileWav(String((source.file as Body).uri));
    else if (source.kind === 'text') wav = await this.speak(str((source.text as Body).text), false);
    else if (source.kind === 'ssml') wav = await this.speak(str((source.ssml as Body).ssmlText), true);
    if (wav === undefined) return undefined;
    const audio = readWav(wav, { allowTruncated: true }); // espeak-ng streams its WAV with an unknown length
    return resample(toMono(audio.samples, audio.channels), audio.sampleRate, sampleRate);
  }

  private async fileWav(uri: string): Promise<Buffer | undefined> {
    const url = new URL(uri);
    if (url.protocol === 'file:') return readFile(fileURLToPath(url));
    if (!isLoopbackUrl(url)) return undefined;
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return response.ok ? Buffer.from(await response.arrayBuffer()) : undefined;
  }

  private async speak(text: string | undefined, ssml: boolean): Promise<Buffer | undefined> {
    if (text === undefined || this.espeakRuns === false) return undefined;
    const args = ['--stdout', '-v', 'en-us', ...(ssml ? ['-m'] : []), text];
    try {
      const wav = await new Promise<Buffer>((resolve, reject) =>
        execFile(this.command, args, { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 10_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
      );
      this.espeakRuns = true;
      return wav;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') this.espeakRuns = false;
      return undefined;
    }
  }
}
