// The serializers: what the emulator puts on the wire must be ACS's exact format (docs/protocol.md §1), what our
// server sends back must be the JS SDK's exact shape (§2), and parsing undoes serializing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createOutboundAudioData, createOutboundStopAudioData, StreamingData } from '@azure/communication-call-automation';
import {
  parseOutboundPacket,
  parsePacket,
  serializeOutbound,
  serializePacket,
  type OutboundParseResult,
} from '../../src/index.js';
import { inboundPacket } from './arbitraries.js';
import { DOC_PACKETS } from './fixtures.js';

describe('serializePacket', () => {
  test('re-serializing each published packet gives it back byte for byte', () => {
    for (const fixture of DOC_PACKETS) {
      const result = parsePacket(fixture.text);
      assert.ok(result.ok, fixture.name);
      assert.equal(serializePacket(result.packet), fixture.text, fixture.source);
    }
  });

  test('parse(serialize(packet)) equals the packet, for every kind', () => {
    fc.assert(
      fc.property(inboundPacket, (packet) => {
        assert.deepEqual(parsePacket(serializePacket(packet)), { ok: true, packet });
        assert.deepEqual(parsePacket(Buffer.from(serializePacket(packet))), { ok: true, packet });
      }),
      { numRuns: 600 },
    );
  });

  test('the official SDK parses everything we emit', () => {
    fc.assert(
      fc.property(inboundPacket, (packet) => {
        // SDK 1.6.0 calls createIdentifierFromRawId(undefined) on a TranscriptionData without participant and
        // crashes; ACS sends one in mixed mode, so we keep emitting the truth rather than inventing an ID.
        fc.pre(!(packet.kind === 'TranscriptionData' && packet.participantRawID === undefined));
        const parsed = StreamingData.parse(serializePacket(packet));
        assert.equal(StreamingData.getStreamingKind(), packet.kind);
        assert.ok(parsed !== undefined);
      }),
      { numRuns: 300 },
    );
  });

  test('AudioData fields come in the published order, participant left out when unknown', () => {
    const text = serializePacket({
      kind: 'AudioData',
      timestamp: '2024-05-02T11:20:42.911Z',
      timestampMs: 0,
      participantRawID: undefined,
      silent: true,
      samples: new Int16Array([1, -1]),
    });
    assert.equal(text, '{"kind":"AudioData","audioData":{"timestamp":"2024-05-02T11:20:42.911Z","data":"AQD//w==","silent":true}}');
  });
});

describe('serializeOutbound and parseOutboundPacket', () => {
  const samples = new Int16Array([0, 1, -1, 32767, -32768]);
  const base64 = Buffer.from(samples.buffer).toString('base64');

  function outbound(result: OutboundParseResult): unknown {
    if (!result.ok) assert.fail(`${result.reason}: ${result.detail}`);
    return result.packet;
  }

  test('audio is exactly what the SDK createOutboundAudioData produces', () => {
    assert.equal(serializeOutbound({ kind: 'AudioData', samples }), createOutboundAudioData(base64));
  });

  test('stop is exactly what the SDK createOutboundStopAudioData produces', () => {
    assert.equal(serializeOutbound({ kind: 'StopAudio' }), createOutboundStopAudioData());
  });

  test('what the SDK helpers produce parses back', () => {
    assert.deepEqual(outbound(parseOutboundPacket(createOutboundAudioData(base64))), { kind: 'AudioData', samples });
    assert.deepEqual(outbound(parseOutboundPacket(createOutboundStopAudioData())), { kind: 'StopAudio' });
  });

  test('every casing of docs/protocol.md §2 is read, null and unknown siblings ignored', () => {
    const audio = [
      `{"kind":"AudioData","audioData":{"data":"${base64}"}}`,
      `{"Kind":"AudioData","AudioData":{"Data":"${base64}"},"StopAudio":null}`,
      `{"kind":"audioData","audioData":{"data":"${base64}","timestamp":null,"participant":null,"isSilent":false},"stopAudio":{},"extra":1}`,
    ];
    for (const text of audio) assert.deepEqual(outbound(parseOutboundPacket(text)), { kind: 'AudioData', samples }, text);
    for (const text of ['{"kind":"StopAudio","stopAudio":{}}', '{"Kind":"StopAudio","StopAudio":{},"AudioData":null}', '{"kind":"stopaudio"}']) {
      assert.deepEqual(outbound(parseOutboundPacket(text)), { kind: 'StopAudio' }, text);
    }
  });

  test('bad outbound messages are typed rejections', () => {
    const reasons = ['{"kind":"Mute"}', '{"kind":"audioData"}', '{"kind":"audioData","audioData":{"data":"A*=="}}', '{"kind":"audioData","audioData":{"data":"AQAC"}}', 'nope'].map(
      (text) => {
        const result = parseOutboundPacket(text);
        return result.ok ? 'ok' : result.reason;
      },
    );
    assert.deepEqual(reasons, ['unknown_kind', 'missing_body', 'bad_base64', 'bad_length', 'invalid_json']);
  });

  test('parseOutboundPacket(serializeOutbound(packet)) equals the packet', () => {
    fc.assert(
      fc.property(fc.int16Array({ maxLength: 2000 }), (chunk) => {
        assert.deepEqual(outbound(parseOutboundPacket(serializeOutbound({ kind: 'AudioData', samples: chunk }))), { kind: 'AudioData', samples: chunk });
      }),
      { numRuns: 200 },
    );
  });
});
