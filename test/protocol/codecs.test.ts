// The small codecs under parsePacket: timestamps, DTMF tones, frame sizes, base64 PCM, lossless JSON numbers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatTimestamp, frameBytesFor, normalizeDtmfTone, parseTimestampMs } from '../../src/index.js';
import { decodePcmBytesNative, decodePcmString, encodePcmBase64 } from '../../src/protocol/base64-pcm.js';
import { parseJsonLossless, toPlainJson } from '../../src/protocol/json-lossless.js';
import { ticksFromNumberText } from '../../src/protocol/ticks.js';

describe('timestamps', () => {
  test('reads ACS timestamps with milliseconds and Z', () => {
    assert.equal(parseTimestampMs('2022-10-03T19:16:12.925Z'), Date.UTC(2022, 9, 3, 19, 16, 12, 925));
  });

  test('reads offsets, missing fractions, seven fraction digits and a missing zone (UTC)', () => {
    assert.equal(parseTimestampMs('2024-05-02T13:20:42+02:00'), Date.UTC(2024, 4, 2, 11, 20, 42));
    assert.equal(parseTimestampMs('2024-05-02T06:50:42-0430'), Date.UTC(2024, 4, 2, 11, 20, 42));
    assert.equal(parseTimestampMs('2024-05-02T11:20:42.9110236+00:00'), Date.UTC(2024, 4, 2, 11, 20, 42, 911) + 0.0236);
    assert.equal(parseTimestampMs('2024-05-02T11:20'), Date.UTC(2024, 4, 2, 11, 20));
  });

  test('refuses garbage and impossible dates', () => {
    for (const text of ['', 'now', '2024-13-01T00:00:00Z', '2023-02-29T00:00:00Z', '2024-05-02T24:00:00Z', '2024-05-02T11:20:42.Z', '2024-05-02T11:20:42Zjunk', '2024-05-02']) {
      assert.equal(parseTimestampMs(text), undefined, text);
    }
    assert.equal(parseTimestampMs('2024-02-29T00:00:00Z'), Date.UTC(2024, 1, 29));
  });

  test('agrees with Date.parse on every ISO string Date makes', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1, 0, 1), max: Date.UTC(9999, 11, 31) }), (ms) => {
        assert.equal(parseTimestampMs(new Date(ms).toISOString()), ms);
      }),
      { numRuns: 500 },
    );
  });

  test('formatTimestamp writes ISO 8601 with milliseconds and Z, and reads back', () => {
    assert.equal(formatTimestamp(Date.UTC(2022, 9, 3, 19, 16, 12, 925)), '2022-10-03T19:16:12.925Z');
    assert.equal(parseTimestampMs(formatTimestamp(1_714_648_842_911.7)), 1_714_648_842_911);
  });
});

describe('DTMF tones', () => {
  test('characters and words become one tone character; anything else is not a tone', () => {
    const cases: Array<[string, string | undefined]> = [
      ['5', '5'], ['*', '*'], ['#', '#'], ['a', 'A'], ['D', 'D'], ['star', '*'], ['Asterisk', '*'], ['POUND', '#'], ['hash', '#'],
      [' 7 ', '7'], ['E', undefined], ['', undefined], ['12', undefined], ['toString', undefined], ['__proto__', undefined],
    ];
    for (const [text, tone] of cases) assert.equal(normalizeDtmfTone(text), tone, text);
  });
});

describe('frame sizes', () => {
  test('20 ms of 16-bit mono is 640 bytes at 16 kHz and 960 at 24 kHz', () => {
    assert.deepEqual([frameBytesFor(16000), frameBytesFor(24000)], [640, 960]);
  });
});

describe('base64 PCM', () => {
  function bytesOf(samples: Int16Array | string | undefined): Buffer {
    assert.ok(samples instanceof Int16Array, `decoded: ${String(samples)}`);
    return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  }

  function native(text: string): Int16Array | undefined {
    const framed = Buffer.from(`"${text}"`, 'latin1');
    return decodePcmBytesNative(framed, 1, framed.length - 1);
  }

  test('decodes what Buffer encodes, padded or not, from strings and (padded) from bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }).filter((b) => b.length % 2 === 0), fc.boolean(), (raw, stripPadding) => {
        let text = Buffer.from(raw).toString('base64');
        if (stripPadding) text = text.replace(/=+$/, '');
        if (!stripPadding) assert.ok(bytesOf(native(text)).equals(raw));
        assert.ok(bytesOf(decodePcmString(text)).equals(raw));
        assert.ok(bytesOf(decodePcmString(`"${text}"`, 1, text.length + 1)).equals(raw));
      }),
      { numRuns: 400 },
    );
  });

  test('the native decoder takes padded base64 of whole samples with valid characters only', () => {
    assert.ok(bytesOf(native('AQACAA==')).equals(Buffer.from([1, 0, 2, 0])));
    // Stray bits after the last byte are ignored, as by decodePcmString.
    assert.ok(bytesOf(native('AQACAB==')).equals(bytesOf(decodePcmString('AQACAB=='))));
    const refused = ['AQACAA', 'AQ-CAA==', 'AQ_CAA==', 'AQ CAA==', 'AQ==AA==', 'AQ\u00e9CAAA', 'AQ\u00c1CAAA', 'AQ==', '===='];
    for (const text of refused) assert.equal(native(text), undefined, text);
  });

  test('the native decoder agrees with decodePcmString wherever it accepts', () => {
    const text = fc.oneof(fc.base64String({ maxLength: 64 }), fc.string({ unit: fc.constantFrom(...'AQgw/+=-_ \u00c1\u00ff\u0080'), maxLength: 16 }));
    fc.assert(
      fc.property(text, (candidate) => {
        const framed = Buffer.from(`"${candidate}"`, 'latin1');
        const decoded = decodePcmBytesNative(framed, 1, framed.length - 1);
        if (decoded !== undefined) assert.ok(bytesOf(decoded).equals(bytesOf(decodePcmString(candidate))), candidate);
      }),
      { numRuns: 2000 },
    );
  });

  test('refuses characters outside the alphabet, misplaced padding and odd byte counts', () => {
    const cases: Array<[string, string]> = [
      ['AQ-CAA==', 'bad_base64'], ['AQ_CAA==', 'bad_base64'], ['AQ CAA==', 'bad_base64'], ['AQ==AA==', 'bad_base64'],
      ['A===', 'bad_base64'], ['AQACA', 'bad_base64'], ['AQACAé==', 'bad_base64'], ['AQAC', 'bad_length'], ['AQ==', 'bad_length'],
    ];
    for (const [text, reason] of cases) {
      assert.equal(decodePcmString(text), reason, text);
      assert.equal(native(text), undefined, text);
    }
  });

  test('each decode gets its own memory, aligned for Int16Array', () => {
    const a = decodePcmString('AQACAA==') as Int16Array;
    const b = decodePcmString('AwAEAA==') as Int16Array;
    assert.equal(a.byteOffset % 8, 0);
    assert.deepEqual([...a, ...b], [1, 2, 3, 4]);
  });

  test('encodes samples as little-endian base64', () => {
    assert.equal(encodePcmBase64(new Int16Array([1, -1, 256])), 'AQD//wAB');
    assert.equal(encodePcmBase64(new Int16Array([9, 1, -1]).subarray(1)), 'AQD//w==');
  });
});

describe('lossless JSON numbers', () => {
  test('reads what JSON.parse reads, keeping every number as written', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        assert.deepEqual(toPlainJson(parseJsonLossless(text)), JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });

  test('keeps own __proto__ keys as JSON.parse does', () => {
    const text = '{"__proto__":{"a":1},"b":[1,{"c":true}]}';
    assert.deepEqual(toPlainJson(parseJsonLossless(text)), JSON.parse(text));
  });

  test('ticks are exact whole numbers in any JSON notation', () => {
    const cases: Array<[string, bigint | undefined]> = [
      ['0', 0n], ['212483227', 212483227n], ['2500000000000000123', 2500000000000000123n], ['2.5e18', 2500000000000000000n],
      ['25E17', 2500000000000000000n], ['1.0', 1n], ['-3', -3n], ['120e-1', 12n], ['1.5', undefined], ['1e-3', undefined], ['1e999', undefined],
    ];
    for (const [text, ticks] of cases) assert.equal(ticksFromNumberText(text), ticks, text);
  });
});
