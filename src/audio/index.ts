// audio: 16-bit PCM and WAV files — 20 ms framing, levels, mixing, resampling, reading, writing, crash repair.
// Pure functions except the file readers/writers; nothing here knows about sockets or calls (ARCHITECTURE.md).
export {
  AudioError,
  AudioErrorCode,
  isAudioError,
  isWavError,
  WavError,
  WavErrorCode,
} from './audio-error.js';
export { FRAME_MS, frameSamples, isSilence, levelDbfs, mixFrames, toMono } from './pcm.js';
export { createResampler, resample, type Resampler } from './resampler.js';
export { encodeWav } from './encode-wav.js';
export { readWav, readWavFile, type ReadWavOptions, type WavAudio } from './read-wav.js';
export { WAV_HEADER_BYTES } from './wav-header.js';
export { createWavWriter, type OpenFile, type WavWriter, type WavWriterOptions } from './wav-writer.js';
export { repairRecordings, repairWav, type RepairFailure, type RepairOptions, type RepairReport, type RepairResult } from './repair-wav.js';
export type { SessionFileRepair } from './repair-session-file.js';
