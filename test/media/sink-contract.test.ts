// One contract, every Sink: what the session relies on when it hands frames over (contract.ts Sink).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { AudioFrame, Sink } from '../../src/media/index.js';
import { MixRecorder, Recorder } from '../../src/media/recorder.js';
import { RecordingBudget, RecordingFileSlots, type RecordingTarget } from '../../src/media/recording-budget.js';
import { RecordingHealth } from '../../src/media/recording-health.js';
import { frameValues, wav } from './harness.js';

interface SinkUnderTest {
  sink: Sink;
  /** What the sink produced for track `t1`, as samples. */
  output(): Promise<Int16Array>;
}

function frame(slot: number, samples: Int16Array): AudioFrame {
  return {
    trackId: 't1',
    participantRawId: '4:+1',
    sampleRate: 16000,
    samples,
    timelineMs: slot * 20,
    timestampMs: 1_000_000 + slot * 20,
    silent: false,
    filled: false,
    levelDbfs: -20,
    talkBack: false,
  };
}

function sinkContract(name: string, create: (dir: string) => SinkUnderTest): void {
  describe(`Sink contract: ${name}`, () => {
    async function withSink(run: (s: SinkUnderTest) => Promise<void>): Promise<void> {
      const dir = await mkdtemp(join(tmpdir(), 'media-sink-'));
      try {
        await run(create(dir));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }

    test('has a name', () =>
      withSink(async ({ sink }) => {
        assert.ok(sink.name.length > 0);
        await sink.close();
      }));

    test('keeps frames in order and has them all after close', () =>
      withSink(async ({ sink, output }) => {
        for (let slot = 0; slot < 5; slot++) sink.write(frame(slot, new Int16Array(320).fill(slot + 1)));
        await sink.close();
        assert.deepEqual(frameValues(await output(), 320), [1, 2, 3, 4, 5]);
      }));

    test('copies what it keeps: the caller may reuse a frame buffer after write', () =>
      withSink(async ({ sink, output }) => {
        const reused = new Int16Array(320);
        for (let slot = 0; slot < 3; slot++) {
          reused.fill(slot + 10);
          sink.write(frame(slot, reused));
        }
        reused.fill(-1);
        await sink.close();
        assert.deepEqual(frameValues(await output(), 320), [10, 11, 12]);
      }));

    test('close is idempotent', () =>
      withSink(async ({ sink }) => {
        sink.write(frame(0, new Int16Array(320)));
        await Promise.all([sink.close(), sink.close()]);
        await sink.close();
      }));

    test('a write after close is ignored, not thrown', () =>
      withSink(async ({ sink, output }) => {
        sink.write(frame(0, new Int16Array(320).fill(4)));
        await sink.close();
        assert.doesNotThrow(() => sink.write(frame(1, new Int16Array(320).fill(5))));
        assert.deepEqual(frameValues(await output(), 320), [4]);
      }));
  });
}

function target(dir: string): RecordingTarget {
  const logger = pino({ level: 'silent' });
  return {
    dir,
    sampleRate: 16000,
    budget: new RecordingBudget(1 << 20, logger, {}),
    silence: new Int16Array(320),
    folder: () => Promise.resolve(true),
    health: new RecordingHealth(logger, {}, undefined),
    files: new RecordingFileSlots(100),
  };
}

sinkContract('Recorder (one WAV per track)', (dir) => ({
  sink: new Recorder(target(dir)),
  output: async () => (await wav(join(dir, 't1.wav'))).samples,
}));

sinkContract('MixRecorder (mixdown.wav)', (dir) => ({
  sink: new MixRecorder(target(dir), 11),
  output: async () => (await wav(join(dir, 'mixdown.wav'))).samples,
}));
