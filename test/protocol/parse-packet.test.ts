// parsePacket, one behaviour per test: the published packets, the robustness rules of docs/protocol.md §1, and
// every rejection reason (docs/errors.md).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parsePacket, type InboundPacket, type ParseResult, type RejectReason } from '../../src/index.js';
import { DOC_PACKETS, docPacket } from './fixtures.js';

function parsed(result: ParseResult): InboundPacket {
  if (!result.ok) assert.fail(`expected a packet, got ${result.reason}: ${result.detail}`);
  return result.packet;
}

function rejected(result: ParseResult, reason: RejectReason): { detail: string; kind?: string } {
  if (result.ok) assert.fail(`expected ${reason}, got a ${result.packet.kind} packet`);
  assert.equal(result.reason, reason, result.detail);
  assert.ok(result.detail.length > 10, 'a rejection says what went wrong');
  return result;
}

function audioData(body: Record<string, unknown>): string {
  return JSON.stringify({ kind: 'AudioData', audioData: { timestamp: '2024-05-02T11:20:42.911Z', data: 'AQACAA==', ...body } });
}

describe('the packets published in docs/protocol.md', () => {
  test('every example packet in the document is a fixture', () => {
    const inDoc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{"kind"'));
    assert.deepEqual(inDoc, DOC_PACKETS.map((fixture) => fixture.text));
  });

  test('AudioMetadata gives the format, the subscription and the frame length the JS SDK drops', () => {
    assert.deepEqual(parsed(parsePacket(docPacket('audioMetadata'))), {
      kind: 'AudioMetadata',
      subscriptionId: '89e8cb59-b991-48b0-b154-1db84f16a077',
      encoding: 'PCM',
      sampleRate: 16000,
      channels: 1,
      length: 640,
    });
  });

  test('AudioData decodes 640 bytes into 320 little-endian samples', () => {
    const text = docPacket('audioData');
    const packet = parsed(parsePacket(Buffer.from(text)));
    assert.equal(packet.kind, 'AudioData');
    if (packet.kind !== 'AudioData') return;
    const expected = Buffer.from((JSON.parse(text) as { audioData: { data: string } }).audioData.data, 'base64');
    assert.equal(packet.samples.length, 320);
    assert.deepEqual([...packet.samples.slice(0, 3)], [expected.readInt16LE(0), expected.readInt16LE(2), expected.readInt16LE(4)]);
    assert.equal(packet.timestamp, '2022-10-03T19:16:12.925Z');
    assert.equal(packet.timestampMs, Date.UTC(2022, 9, 3, 19, 16, 12, 925));
    assert.equal(packet.participantRawID, '8:acs:3d20e1de-0f28-41c5-84a0-4960fde5f411_0000000b-faeb-c708-99bf-a43a0d0036b0');
    assert.equal(packet.silent, false);
  });

  test('DtmfData gives the tone', () => {
    assert.deepEqual(parsed(parsePacket(docPacket('dtmfData'))), {
      kind: 'DtmfData',
      tone: '3',
      data: '3',
      timestamp: undefined,
      timestampMs: undefined,
      participantRawID: undefined,
    });
  });

  test('TranscriptionMetadata gives the subscription, locale and ids', () => {
    assert.deepEqual(parsed(parsePacket(docPacket('transcriptionMetadata'))), {
      kind: 'TranscriptionMetadata',
      subscriptionId: '0000a000-9999-5555-ae00-cd00e0bc0000',
      locale: 'en-US',
      callConnectionId: '6d09449c-6677-4f91-8cb7-012c338e6ec1',
      correlationId: '6d09449c-6677-4f91-8cb7-012c338e6ec1',
      speechRecognitionModelEndpointId: '0000a000-9999-5555-ae00-cd00e0bc0001',
      extra: {},
    });
  });

  test('TranscriptionData gives text, ticks as bigint, words and status', () => {
    assert.deepEqual(parsed(parsePacket(docPacket('transcriptionData'))), {
      kind: 'TranscriptionData',
      text: 'Hello everyone.',
      format: 'display',
      confidence: 0.922650933265686,
      offsetTicks: 212483227n,
      durationTicks: 9600000n,
      words: [
        { text: 'hello', offsetTicks: 212483227n, durationTicks: 2800000n },
        { text: 'everyone', offsetTicks: 215283227n, durationTicks: 6800000n },
      ],
      participantRawID: '4:+000000000000',
      resultStatus: 'Final',
      extra: {},
    });
  });

  test('a string, a Buffer, a Uint8Array and an ArrayBuffer of the same text give the same packet', () => {
    const text = docPacket('audioData');
    const bytes = Buffer.from(text);
    const copy = new Uint8Array(bytes.length + 3).subarray(3);
    copy.set(bytes);
    const results = [text, bytes, copy, copy.slice().buffer].map((input) => parsePacket(input));
    for (const result of results.slice(1)) assert.deepEqual(result, results[0]);
  });
});

describe('robustness rules (docs/protocol.md §1)', () => {
  test('kind values and keys are matched in any casing', () => {
    const packet = parsed(parsePacket('{"Kind":"audiodata","AUDIODATA":{"Timestamp":"2024-05-02T11:20:42Z","DATA":"AQA=","Silent":true}}'));
    assert.equal(packet.kind, 'AudioData');
    assert.equal(packet.kind === 'AudioData' && packet.silent, true);
  });

  test('participantRawId with a lower-case d is accepted', () => {
    const packet = parsed(parsePacket(audioData({ participantRawId: '4:+15551234567' })));
    assert.equal(packet.kind === 'AudioData' && packet.participantRawID, '4:+15551234567');
  });

  test('absent participant and silent mean unknown speaker and not silent', () => {
    const packet = parsed(parsePacket(audioData({})));
    assert.ok(packet.kind === 'AudioData');
    assert.equal(packet.participantRawID, undefined);
    assert.equal(packet.silent, false);
  });

  test('timestamps without a fraction and with an offset are accepted', () => {
    for (const [timestamp, ms] of [
      ['2024-05-02T11:20:42Z', Date.UTC(2024, 4, 2, 11, 20, 42)],
      ['2024-05-02T13:20:42.5+02:00', Date.UTC(2024, 4, 2, 11, 20, 42, 500)],
    ] as const) {
      const packet = parsed(parsePacket(audioData({ timestamp })));
      assert.equal(packet.kind === 'AudioData' && packet.timestampMs, ms);
    }
  });

  test('samples are an aligned Int16Array that the next parse does not overwrite', () => {
    const first = parsed(parsePacket(audioData({ data: 'AQACAA==' })));
    const second = parsed(parsePacket(audioData({ data: '//8AgA==' })));
    assert.ok(first.kind === 'AudioData' && second.kind === 'AudioData');
    assert.equal(first.samples.byteOffset % 2, 0);
    assert.deepEqual([...first.samples], [1, 2]);
    assert.deepEqual([...second.samples], [-1, -32768]);
  });

  test('transcription offsets beyond 2^53 survive exactly, written plainly or with an exponent', () => {
    const text = '{"kind":"TranscriptionData","transcriptionData":{"text":"hi","offset":2500000000000000123,"duration":2.5e18,"resultStatus":"Final"}}';
    const packet = parsed(parsePacket(text));
    assert.ok(packet.kind === 'TranscriptionData');
    assert.equal(packet.offsetTicks, 2500000000000000123n);
    assert.equal(packet.durationTicks, 2500000000000000000n);
  });

  test('transcription without words, duration or participant is accepted (the JS SDK crashes on it)', () => {
    const packet = parsed(parsePacket('{"kind":"TranscriptionData","transcriptionData":{"text":"hi","format":"display","offset":5,"resultStatus":"intermediate"}}'));
    assert.ok(packet.kind === 'TranscriptionData');
    assert.deepEqual(packet.words, []);
    assert.equal(packet.durationTicks, undefined);
    assert.equal(packet.participantRawID, undefined);
    assert.equal(packet.resultStatus, 'Intermediate');
  });

  test('unknown transcription fields are kept in extra', () => {
    const body = { text: 'hi', offset: 1, resultStatus: 'Final', sentimentAnalysisResult: { sentiment: 'positive' }, languageIdentified: 'en-US' };
    const packet = parsed(parsePacket(JSON.stringify({ kind: 'TranscriptionData', transcriptionData: body })));
    assert.ok(packet.kind === 'TranscriptionData');
    assert.deepEqual(packet.extra, { sentimentAnalysisResult: { sentiment: 'positive' }, languageIdentified: 'en-US' });
  });

  test('DTMF words and lower-case letters become the tone character', () => {
    for (const [data, tone] of [['star', '*'], ['asterisk', '*'], ['pound', '#'], ['hash', '#'], ['b', 'B'], ['#', '#']]) {
      const packet = parsed(parsePacket(JSON.stringify({ kind: 'DtmfData', dtmfData: { data } })));
      assert.deepEqual(packet.kind === 'DtmfData' && [packet.tone, packet.data], [tone, data]);
    }
  });

  test('DTMF keeps the optional timestamp and participant the .NET SDK reads', () => {
    const packet = parsed(parsePacket('{"kind":"DtmfData","dtmfData":{"data":"5","timestamp":"2024-05-02T11:20:42.911Z","participantRawID":"4:+15551234567"}}'));
    assert.ok(packet.kind === 'DtmfData');
    assert.equal(packet.timestampMs, Date.UTC(2024, 4, 2, 11, 20, 42, 911));
    assert.equal(packet.participantRawID, '4:+15551234567');
  });

  test('AudioMetadata without length gets the 20 ms frame size of its rate', () => {
    const packet = parsed(parsePacket('{"kind":"AudioMetadata","audioMetadata":{"subscriptionId":"s","encoding":"PCM","sampleRate":24000,"channels":1}}'));
    assert.equal(packet.kind === 'AudioMetadata' && packet.length, 960);
  });

  test('two parses share nothing: the kind comes with each result', () => {
    const meta = parsePacket(docPacket('audioMetadata'));
    const audio = parsePacket(docPacket('audioData'));
    assert.equal(parsed(meta).kind, 'AudioMetadata');
    assert.equal(parsed(audio).kind, 'AudioData');
  });
});

describe('rejections (docs/errors.md)', () => {
  test('not_text: a number is not a message', () => {
    rejected(parsePacket(42 as unknown as string), 'not_text');
  });

  test('invalid_utf8: bytes that are not UTF-8', () => {
    rejected(parsePacket(Buffer.from([0x7b, 0xff, 0x7d])), 'invalid_utf8');
  });

  test('invalid_json: text that is not JSON', () => {
    rejected(parsePacket('{"kind":'), 'invalid_json');
  });

  test('not_object: JSON that is not an object', () => {
    rejected(parsePacket('[1,2]'), 'not_object');
  });

  test('missing_kind: no kind string', () => {
    rejected(parsePacket('{"audioData":{}}'), 'missing_kind');
  });

  test('unknown_kind: a new kind is reported with its name', () => {
    const result = rejected(parsePacket('{"kind":"VideoData","videoData":{}}'), 'unknown_kind');
    assert.equal(result.kind, 'VideoData');
  });

  test('missing_body: a kind without its object', () => {
    assert.equal(rejected(parsePacket('{"kind":"AudioData","audioData":null}'), 'missing_body').kind, 'AudioData');
  });

  test('invalid_field: a field of the wrong type', () => {
    assert.equal(rejected(parsePacket(audioData({ silent: 'yes' })), 'invalid_field').kind, 'AudioData');
    rejected(parsePacket('{"kind":"DtmfData","dtmfData":{"data":"X"}}'), 'invalid_field');
    rejected(parsePacket('{"kind":"TranscriptionData","transcriptionData":{"text":"a","offset":1.5,"resultStatus":"Final"}}'), 'invalid_field');
    rejected(parsePacket('{"kind":"TranscriptionData","transcriptionData":{"text":"a","offset":1,"resultStatus":"Done"}}'), 'invalid_field');
  });

  test('bad_base64: characters outside the base64 alphabet', () => {
    rejected(parsePacket(audioData({ data: 'AQ-CAA==' })), 'bad_base64');
    rejected(parsePacket(audioData({ data: 'AQ==AA==' })), 'bad_base64');
  });

  test('bad_length: an odd byte count, or not the session frame size', () => {
    rejected(parsePacket(audioData({ data: 'AQAC' })), 'bad_length');
    rejected(parsePacket(audioData({ data: 'AQACAA==' }), { expectedFrameBytes: 640 }), 'bad_length');
  });

  test('bad_timestamp: a timestamp that is not ISO 8601', () => {
    rejected(parsePacket(audioData({ timestamp: 'yesterday' })), 'bad_timestamp');
    rejected(parsePacket(audioData({ timestamp: '2023-02-30T00:00:00Z' })), 'bad_timestamp');
    rejected(parsePacket(audioData({ timestamp: undefined })), 'bad_timestamp');
  });

  test('bad_sample_rate: a rate ACS does not stream', () => {
    rejected(parsePacket('{"kind":"AudioMetadata","audioMetadata":{"subscriptionId":"s","sampleRate":8000}}'), 'bad_sample_rate');
  });

  test('too_large: a message over maxBytes is refused unread', () => {
    const text = docPacket('audioData');
    rejected(parsePacket(Buffer.from(text), { maxBytes: 100 }), 'too_large');
    rejected(parsePacket(text, { maxBytes: 100 }), 'too_large');
    assert.equal(parsePacket(text, { maxBytes: text.length }).ok, true);
  });
});
