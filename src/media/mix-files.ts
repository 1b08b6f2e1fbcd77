// mixdown.wav for a mixed session that had talk-back: `mixed.wav` and `talk-back.wav` summed once the session ended
// (a mixed session writes no live mix, and starting one at the first talk-back would miss the call so far). Both
// files start at timeline 0 and were written by our WAV writer (44-byte headers); read and written in chunks with
// async I/O, so an hour-long call needs no more memory than a chunk.
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { createWavWriter, WAV_HEADER_BYTES, type OpenFile } from '../audio/index.js';

/** Samples per chunk (1 s at 16 kHz). */
const CHUNK = 16000;

/** Write `out` as the sample-wise sum (clipped to int16) of the mono PCM16 WAVs at `inputs`; the longest sets the length. */
export async function mixWavFiles(inputs: string[], out: string, sampleRate: number, openFile?: OpenFile): Promise<void> {
  const handles: FileHandle[] = [];
  try {
    for (const path of inputs) handles.push(await open(path, 'r'));
    const lengths = await Promise.all(handles.map(async (h) => Math.max(0, ((await h.stat()).size - WAV_HEADER_BYTES) >> 1)));
    const total = Math.max(0, ...lengths);
    const writer = await createWavWriter(out, { sampleRate, openFile });
    const acc = new Int32Array(CHUNK);
    const bytes = Buffer.alloc(CHUNK * 2);
    const pcm = new Int16Array(CHUNK);
    for (let pos = 0; pos < total; pos += CHUNK) {
      const n = Math.min(CHUNK, total - pos);
      acc.fill(0);
      for (const h of handles) {
        const { bytesRead } = await h.read(bytes, 0, n * 2, WAV_HEADER_BYTES + pos * 2);
        for (let i = 0; i < bytesRead >> 1; i++) acc[i] += bytes.readInt16LE(i * 2);
      }
      for (let i = 0; i < n; i++) pcm[i] = acc[i] > 32767 ? 32767 : acc[i] < -32768 ? -32768 : acc[i];
      writer.write(pcm.subarray(0, n));
      if ((pos / CHUNK) % 30 === 29) await writer.flush();
    }
    await writer.close();
  } finally {
    await Promise.all(handles.map((h) => h.close().catch(() => undefined)));
  }
}

/** mixdown.wav in `dir` from mixed.wav and talk-back.wav. */
export function mixTalkBackFiles(dir: string, sampleRate: number, openFile?: OpenFile): Promise<void> {
  return mixWavFiles([join(dir, 'mixed.wav'), join(dir, 'talk-back.wav')], join(dir, 'mixdown.wav'), sampleRate, openFile);
}
