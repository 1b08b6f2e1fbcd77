// The error family: every area's error is an AcsAudioError with an ERR_ code, and public entries throw coded errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AcsAudioError, ErrorCode, isAcsAudioError, isMediaError, MediaError, MediaErrorCode, readWav, createMediaServer, createCallClient, isWavError, createEmulator, createWavWriter, createJwtVerifier, createSubjects, isClusterError, ClusterErrorCode } from '../../src/index.js';

test('area errors share the base, keep the cause, and the guards check the code', () => {
  const cause = new Error('disk');
  const error = new MediaError(MediaErrorCode.SinkFailed, 'sink x threw', { cause });
  assert.ok(error instanceof AcsAudioError);
  assert.equal(error.cause, cause);
  assert.ok(isAcsAudioError(error, 'ERR_MEDIA_SINK_FAILED'));
  assert.ok(isMediaError(error, MediaErrorCode.SinkFailed));
  assert.ok(!isMediaError(error, MediaErrorCode.NotReady));
  assert.ok(!isAcsAudioError(new Error('plain')));
});

test('public entries throw coded errors named ERR_<AREA>_<WHAT>', () => {
  const thrown = (fn: () => unknown): unknown => {
    try {
      fn();
    } catch (error) {
      return error;
    }
    assert.fail('expected a throw');
  };
  const server = thrown(() => createMediaServer({ port: -1 }));
  assert.ok(isAcsAudioError(server, ErrorCode.BadOptions), String(server));
  const wav = thrown(() => readWav(Buffer.from('not a wav at all, really')));
  assert.ok(isWavError(wav) && isAcsAudioError(wav) && /^ERR_WAV_/.test(wav.code));
  const calls = thrown(() => createCallClient('nonsense'));
  assert.ok(isAcsAudioError(calls, 'ERR_CALLS_BAD_CONNECTION_STRING'));
  // Options that were plain Errors / RangeErrors before.
  assert.ok(isAcsAudioError(thrown(() => createMediaServer({ port: 0, apiToken: 'short' })), ErrorCode.BadOptions));
  assert.ok(isAcsAudioError(thrown(() => createEmulator({ speed: 0 })), ErrorCode.BadOptions));
  assert.ok(isAcsAudioError(thrown(() => createJwtVerifier({ audience: '' })), ErrorCode.BadOptions));
  assert.ok(isClusterError(thrown(() => createSubjects('no spaces allowed')), ClusterErrorCode.BadOptions));
});

test('createWavWriter refuses bad options with a coded error', async () => {
  await assert.rejects(createWavWriter('/nonexistent/x.wav', { sampleRate: 16000, headerEvery: 0 }), (e: unknown) => isAcsAudioError(e, ErrorCode.BadOptions));
});
