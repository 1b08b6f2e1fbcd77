// The emulator's media engine: streams call audio to the app's WebSockets as ACS does, paced by one scheduler.
// The control plane reaches it only through media-engine-contract.ts (MediaEngine.start(spec, events)).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { MediaEngine, MediaEngineStats, StreamEvents, StreamSpec } from '../media-engine-contract.js';
import { SAMPLE_RATES } from '../../protocol/index.js';
import { createClipLoader } from './clips.js';
import { EngineErrorCode, MediaEngineError } from './engine-error.js';
import { startEngineStream, type LocalEngineStream, type StreamContext } from './engine-stream.js';
import { createPacer } from './pacer.js';

export { listFixtures, loadFixture, fixturesDir, type SpeechFixture, type Transcript } from './fixtures.js';
export { MediaEngineError, EngineErrorCode, isMediaEngineError } from './engine-error.js';
export { type LocalEngineStream, type LocalEngineStreamStats, type StreamState } from './engine-stream.js';
export { MALFORMED_PACKET } from './stream-faults.js';
export { DTMF_SPACING_MS, FINAL_CONFIDENCE, FINAL_RESULT_DELAY_MS } from './call-audio.js';
export type { PlaybackViolation } from './playback.js';

/** Options for the media engine. */
export interface MediaEngineOptions {
  /** Playback speed factor (2 = twice real time) for tests. Timestamps still step 20 ms per frame. @default 1 */
  speed?: number;
  /** Folder where what the app plays into the call is recorded. @default a new folder under the OS temp dir */
  playbackDir?: string;
  /** @default a silent logger */
  logger?: Logger;
  /** Epoch milliseconds of the call clock (frame timestamps). @default Date.now */
  now?: () => number;
  /**
   * Unmixed streams: `send` gives every participant a frame every 20 ms (`silent: true` while quiet); `omit` sends
   * only frames with sound, as a dominant-speaker mixer would. @default 'send'
   */
  unmixedSilentFrames?: 'send' | 'omit';
  /** Call-time ms between a lost socket and the reconnect (a drop fault may say otherwise). @default 1000 */
  reconnectAfterMs?: number;
  /** Reconnect attempts before the stream fails. @default 3 */
  reconnectAttempts?: number;
  /** WebSocket opening handshake limit (wall ms). @default 10000 */
  handshakeTimeoutMs?: number;
  /** The app's audio may run this far (wall ms) ahead of real time before frames count as too fast. @default 200 */
  playbackAllowanceMs?: number;
  /** Random numbers in [0, 1) for jitter faults. @default Math.random */
  random?: () => number;
  /**
   * Sees every message the app sends on a media socket as it arrives, before the engine reads it (the benchmark
   * times talk-back with it). @default none
   */
  onAppMessage?: (callConnectionId: string, data: Buffer) => void;
}

/** The engine: the contract's MediaEngine, with its own stream type and engine-wide figures. */
export interface LocalMediaEngine extends MediaEngine {
  start(spec: StreamSpec, events: StreamEvents): LocalEngineStream;
  stats(): MediaEngineStats;
  /** Starts the pacing figures of stats() afresh (a bench measuring steady state leaves out the start-up). */
  resetStats(): void;
}

/** Creates the media engine: one scheduler for every stream; `close()` stops them all. */
export function createMediaEngine(options: MediaEngineOptions = {}): LocalMediaEngine {
  const speed = options.speed ?? 1;
  if (!(speed > 0) || !Number.isFinite(speed)) {
    throw new MediaEngineError(EngineErrorCode.InvalidOptions, `speed must be a positive number; got ${options.speed}`);
  }
  const reconnectAttempts = options.reconnectAttempts ?? 3;
  if (!Number.isInteger(reconnectAttempts) || reconnectAttempts < 1) {
    throw new MediaEngineError(
      EngineErrorCode.InvalidOptions,
      `reconnectAttempts must be a whole number ≥ 1; got ${options.reconnectAttempts}`,
    );
  }
  const logger = options.logger ?? pino({ enabled: false });
  const streams = new Set<LocalEngineStream>();
  const pacer = createPacer({
    speed,
    onClientError: (error) => logger.error({ err: error }, 'a stream failed during its tick; the others go on'),
  });
  let playbackDir: Promise<string> | undefined;
  let closed = false;

  const context: StreamContext = {
    pacer,
    loader: createClipLoader(),
    logger,
    now: options.now ?? Date.now,
    speed,
    unmixedSilentFrames: options.unmixedSilentFrames ?? 'send',
    reconnectAfterMs: options.reconnectAfterMs ?? 1000,
    reconnectAttempts,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
    playbackAllowanceMs: options.playbackAllowanceMs ?? 200,
    playbackDir: () => {
      playbackDir ??=
        options.playbackDir !== undefined
          ? Promise.resolve(options.playbackDir)
          : mkdtemp(join(tmpdir(), 'acs-emulator-playback-'));
      return playbackDir;
    },
    random: options.random ?? Math.random,
    onAppMessage: options.onAppMessage,
    onEnded: (stream) => streams.delete(stream),
  };

  return {
    start(spec, events) {
      if (closed) throw new MediaEngineError(EngineErrorCode.InvalidSpec, 'the media engine is closed');
      if (!(SAMPLE_RATES as readonly number[]).includes(spec.sampleRate)) {
        throw new MediaEngineError(
          EngineErrorCode.InvalidSpec,
          `sampleRate must be one of ${SAMPLE_RATES.join(', ')}; got ${spec.sampleRate}`,
        );
      }
      const stream = startEngineStream(spec, events, context);
      streams.add(stream);
      return stream;
    },
    async close() {
      closed = true;
      await Promise.all([...streams].map((stream) => stream.stop()));
      pacer.close();
    },
    stats: () => ({ streams: pacer.streams, pacing: pacer.jitter() }),
    resetStats: () => pacer.resetJitter(),
  };
}
